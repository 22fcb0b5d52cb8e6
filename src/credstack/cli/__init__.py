"""`credstack ...`: a thin layer over `service`. Each area's commands live in their own module;
importing it registers them on the root app."""

from credstack.cli import (
    analytics_commands,
    audit_commands,
    award_commands,
    bulk_commands,
    catalog_commands,
    earning_commands,
    engine_commands,
    mail_commands,
    people_commands,
    setup_commands,
    verify_commands,
    webhook_commands,
    worker_commands,
)
from credstack.cli.app import app, main

__all__ = [
    "analytics_commands",
    "app",
    "audit_commands",
    "award_commands",
    "bulk_commands",
    "catalog_commands",
    "earning_commands",
    "engine_commands",
    "mail_commands",
    "main",
    "people_commands",
    "setup_commands",
    "verify_commands",
    "webhook_commands",
    "worker_commands",
]
