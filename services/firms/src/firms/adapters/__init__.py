"""Adapters of the firms service, named `<technology>_<port>.py`."""
