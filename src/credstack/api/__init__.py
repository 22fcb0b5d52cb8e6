"""The REST API under `/api/v1`, the DID documents, and the 1EdTech Open Badges 3.0 / CLR 2.0
APIs under `/ims/` with their OAuth 2.0 endpoints under `/oauth/`: one router module per area,
each parsing input, calling a service and returning a declared response model."""

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
    "exchange_routes",
    "ims_routes",
    "imsx",
    "learner_routes",
    "oauth_routes",
    "schemas",
    "verify_routes",
    "verify_schemas",
    "webhook_routes",
    "webhook_schemas",
]
