"""链融 banks service:

Banks, lead-bank designations (主办行), products, and manufacturing finance officers (制造业金融服务官)."""
