"""The REST API under `/api/v1` and the DID documents: one router module per area, each
parsing input, calling a service and returning a declared response model."""

__all__ = [
    "analytics_routes",
    "bulk_routes",
    "bulk_schemas",
    "catalog_routes",
    "credential_routes",
    "did_routes",
    "docs",
    "earning_routes",
    "earning_schemas",
    "engine_routes",
    "learner_routes",
    "schemas",
    "verify_routes",
    "verify_schemas",
]
