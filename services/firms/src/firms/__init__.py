"""链融 firms service:

SMEs (中小微企业) and chain masters (链主企业): registration, supplier links (确权), financing needs (融资需求)."""
