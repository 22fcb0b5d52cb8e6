"""The rules of stackable credentials, pure: achievements and their requirement trees, records, the
evaluator, CE cycles, durations and calendars. No I/O and no other credstack package.
"""

__all__ = [
    "audit",
    "audit_trail",
    "calendar",
    "catalog",
    "ce",
    "checks",
    "credits",
    "dependants",
    "durations",
    "evaluator",
    "grades",
    "outcome",
    "parsing",
    "problems",
    "quantities",
    "records",
    "requirement_reader",
    "requirements",
    "sharing",
    "taxonomy",
    "thresholds",
    "view",
]
