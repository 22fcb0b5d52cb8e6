"""Analytics for a program office (story 10): enrolments, issuance, pass rates, stacking
funnels, time to a stacked credential and CE compliance, for one issuer over a period."""

from credstack.service.analytics.figures import (
    Analytics,
    CeCycleFigures,
    Enrolments,
    FunnelStep,
    IssuedCount,
    MonthCount,
    PassRate,
    Period,
    StackFunnel,
    TimeToStack,
)
from credstack.service.analytics.report import IssuerAnalytics, analytics, issuer_analytics
from credstack.service.analytics.tables import SECTIONS, analytics_json, csv_text, table

__all__ = [
    "SECTIONS",
    "Analytics",
    "CeCycleFigures",
    "Enrolments",
    "FunnelStep",
    "IssuedCount",
    "IssuerAnalytics",
    "MonthCount",
    "PassRate",
    "Period",
    "StackFunnel",
    "TimeToStack",
    "analytics",
    "analytics_json",
    "csv_text",
    "issuer_analytics",
    "table",
]
