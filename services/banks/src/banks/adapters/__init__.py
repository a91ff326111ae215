"""Adapters of the banks service, named `<technology>_<port>.py`."""
