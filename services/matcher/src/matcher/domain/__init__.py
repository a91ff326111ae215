"""The matcher domain: plain Python entities, value objects and rules; no framework, database or broker."""
