"""Adapters of the oversight service, named `<technology>_<port>.py`."""
