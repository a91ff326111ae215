"""Adapters of the matcher service, named `<technology>_<port>.py`."""
