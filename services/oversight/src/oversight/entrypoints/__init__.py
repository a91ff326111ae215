"""Thin entrypoints of the oversight service."""
