"""Thin entrypoints of the matcher service: parse, call a handler, map errors."""
