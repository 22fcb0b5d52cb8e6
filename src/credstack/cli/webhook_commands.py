"""`credstack webhooks ...`: an issuer's webhook endpoints and their delivery log.

Events are delivered by the same sender as e-mail: the server's, or `credstack mail send`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from credstack.cli.app import app, installation, say
from credstack.service.people import local_actor
from credstack.service.webhooks import deliveries, endpoints
from credstack.service.webhooks.events import EVENTS

__all__ = ["webhooks_app"]

webhooks_app = typer.Typer(
    no_args_is_help=True, help="Webhooks: an issuer's events POSTed to its endpoints, signed."
)
app.add_typer(webhooks_app, name="webhooks")

Issuer = Annotated[str, typer.Option("--issuer", help="The issuer (issuer id).")]
EndpointId = Annotated[
    str, typer.Argument(metavar="ENDPOINT", help="Endpoint id (see `webhooks list`).")
]
By = Annotated[
    str | None,
    typer.Option("--by", help="Email of the acting user (needs the admin role at the issuer)."),
]


def _show_secret(secret: endpoints.NewSecret) -> None:
    say(f"endpoint {secret.endpoint.id}\t{secret.endpoint.url}")
    say(f"secret {secret.secret}")
    say("keep the secret now: it is not shown again (`webhooks rotate-secret` makes a new one)")


@webhooks_app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="https:// URL events are POSTed to.")],
    issuer: Issuer,
    events: Annotated[
        str, typer.Option("--events", help=f"Comma-separated, from: {', '.join(EVENTS)}.")
    ],
    by: By = None,
) -> None:
    """Add an endpoint; prints its signing secret once."""
    with installation() as runtime:
        made = endpoints.add_endpoint(
            runtime, local_actor(runtime, by), issuer, url, events.split(",")
        )
    _show_secret(made)


@webhooks_app.command("list")
def webhooks_list(issuer: Issuer, by: By = None) -> None:
    """The issuer's endpoints and their events (never their secrets)."""
    with installation() as runtime:
        found = endpoints.list_endpoints(runtime, local_actor(runtime, by), issuer)
    if not found:
        say(f"issuer {issuer} has no webhook endpoints")
    for endpoint in found:
        say(f"{endpoint.id}\t{endpoint.url}\t{','.join(endpoint.events)}")


@webhooks_app.command("remove")
def webhooks_remove(endpoint: EndpointId, by: By = None) -> None:
    """Remove an endpoint, with its pending events and delivery log."""
    with installation() as runtime:
        gone = endpoints.remove_endpoint(runtime, local_actor(runtime, by), endpoint)
    say(f"removed {gone.id}\t{gone.url}")


@webhooks_app.command("rotate-secret")
def webhooks_rotate(endpoint: EndpointId, by: By = None) -> None:
    """A new signing secret, used from the next attempt; prints it once."""
    with installation() as runtime:
        made = endpoints.rotate_secret(runtime, local_actor(runtime, by), endpoint)
    _show_secret(made)


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    issuer: Issuer,
    failed: Annotated[bool, typer.Option("--failed", help="Only those given up on.")] = False,
    by: By = None,
) -> None:
    """The newest deliveries (at most 100), each with its attempts."""
    with installation() as runtime:
        found = deliveries.list_deliveries(
            runtime, local_actor(runtime, by), issuer, failed_only=failed
        )
    if not found:
        say("no deliveries")
    for delivery in found:
        after = f"\tnext {delivery.next_attempt_at.isoformat()}" if delivery.next_attempt_at else ""
        say(f"{delivery.id}\t{delivery.event}\t{delivery.status}\t{delivery.url}{after}")
        for attempt in delivery.attempts:
            outcome = attempt.error or f"HTTP {attempt.status_code}"
            say(f"  {attempt.at.isoformat()}\t{outcome}\t{attempt.duration_ms} ms")


@webhooks_app.command("redeliver")
def webhooks_redeliver(
    delivery: Annotated[
        str, typer.Argument(metavar="DELIVERY", help="Delivery id (see `webhooks deliveries`).")
    ],
    by: By = None,
) -> None:
    """Send a delivered or failed event again (same webhook-id), at the sender's next pass."""
    with installation() as runtime:
        again = deliveries.redeliver(runtime, local_actor(runtime, by), delivery)
    say(f"queued {again.id}\t{again.event}\t{again.url}")
