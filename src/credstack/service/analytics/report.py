"""All of an issuer's figures at once, as the API, the page and the CLI show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credstack.errors import InvalidInput
from credstack.service import clock
from credstack.service.actor import Actor, authorise
from credstack.service.analytics.activity import enrolments, issued, pass_rates
from credstack.service.analytics.continuing import ce_compliance
from credstack.service.analytics.facts import load_facts
from credstack.service.analytics.figures import Analytics, Period
from credstack.service.analytics.stacks import funnels, stacks, time_to_stack
from credstack.service.engine import compile_catalog
from credstack.service.people import ROLES, require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = ["IssuerAnalytics", "analytics", "issuer_analytics"]


def analytics(
    uow: UnitOfWork, issuer: IssuerRow, *, period: Period | None = None, as_of: date
) -> Analytics:
    """Read-only: nothing is written, so it is safe on a replica or in a rolled-back session."""
    period = period or Period()
    if period.start is not None and period.end is not None and period.start > period.end:
        raise InvalidInput(
            f"the period starts ({period.start.isoformat()}) after it ends "
            f"({period.end.isoformat()})"
        )
    facts = load_facts(uow, issuer)
    found = stacks(compile_catalog(uow, issuer))
    return Analytics(
        issuer=issuer.key,
        period=period,
        as_of=as_of,
        enrolments=enrolments(facts, period),
        issued=issued(facts, period),
        pass_rates=pass_rates(facts, period),
        funnels=funnels(found, facts, period),
        time_to_stack=time_to_stack(found, facts, period),
        ce_compliance=ce_compliance(uow, issuer, period, as_of),
    )


@dataclass(frozen=True)
class IssuerAnalytics:
    issuer_name: str
    figures: Analytics


def issuer_analytics(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    period: Period | None = None,
    as_of: date | None = None,
) -> IssuerAnalytics:
    """An issuer's figures for anyone with a role there: they are counts, never a learner's own
    records. Only reads, in a read-only unit of work, so a page or a CSV download never writes;
    served from the runtime's cache while the issuer's change mark stands
    (`service.analytics_cache`).
    """
    authorise(actor, issuer, *ROLES)
    asked = period or Period()
    with runtime.uow(write=False) as uow:
        where = require_issuer(uow, issuer)
        day = clock.as_of(as_of, where)
        figures = runtime.caches.analytics.figures(
            uow, where, asked, day, lambda: analytics(uow, where, period=asked, as_of=day)
        )
        return IssuerAnalytics(where.name, figures)
