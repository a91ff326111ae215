"""HTTP adapters shared by the services' APIs: problem+json errors, health, metrics, request context."""
