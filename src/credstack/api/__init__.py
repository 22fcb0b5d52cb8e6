"""The REST API under `/api/v1` and the DID documents: one router module per area, each
parsing input, calling a service and returning a declared response model."""
