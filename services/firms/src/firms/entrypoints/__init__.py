"""Thin entrypoints of the firms service: parse, call a handler, map errors."""
