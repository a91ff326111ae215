"""A realistic demo market for a running Lianrong, made through the services' own APIs (`make run` calls it)."""
