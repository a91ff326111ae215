"""The oversight domain: cells, metrics and the disclosure rule; plain Python."""
