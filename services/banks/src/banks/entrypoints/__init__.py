"""Thin entrypoints of the banks service: parse, call a handler, map errors."""
