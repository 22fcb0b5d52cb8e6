"""`credstack verify` and `credstack credential ...`: verifying, exporting, sharing, signing."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from credstack.cli.app import app, cli_settings, fail, installation, say
from credstack.config import Settings
from credstack.errors import CredstackError, InvalidInput
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.credentials import (
    CredentialForm,
    exported_credential,
    share_credential,
    sign_unsigned,
)
from credstack.service.group_view import GroupReport, group_view, verify_presented
from credstack.service.verification import (
    Verifier,
    checked_email,
    installation_verifier,
    result_json,
    uninstalled_verifier,
    unusable,
)
from credstack.vc.result import VerificationResult

__all__ = ["credential_app", "verify"]

credential_app = typer.Typer(no_args_is_help=True, help="Issued credentials.")
app.add_typer(credential_app, name="credential")

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNUSABLE, EXIT_UNRECOGNISED = 0, 1, 2, 3
_FORMATS = tuple(CredentialForm)


@app.command()
def verify(
    sources: Annotated[
        list[str],
        typer.Argument(help="Files, this server's URLs, or - (stdin); several: a group view."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    email: Annotated[
        str | None,
        typer.Option(
            help="Also check each credential was issued to the holder of this e-mail address."
        ),
    ] = None,
) -> None:
    """Verify credentials; needs no installation (no data directory, database or key).

    Exit codes:

    0 verified, and from a recognised issuer.

    3 authentic, but from an issuer this verifier does not recognise (until a trust list
    names it).

    1 not verified: changed, revoked, expired, an impersonation, or not issued to --email.

    2 unusable input.

    Given several, also say which of their issuers' stacks the group satisfies together; a
    file that cannot be read or verified is reported and the others are still verified (the
    worst exit code wins).
    """
    if email is not None:
        try:
            checked_email(email)
        except InvalidInput as exc:
            fail(exc.message, EXIT_UNUSABLE)
    with _verifier() as verifier:
        items: list[bytes] = []
        read: list[str] = []
        unreadable: dict[str, VerificationResult] = {}
        for source in sources:
            try:
                items.append(_read(verifier, source))
                read.append(source)
            except CredstackError as exc:
                if len(sources) == 1:
                    fail(exc.message, EXIT_UNUSABLE)
                # One bad file in a batch is reported; the others are still verified.
                typer.echo(f"error: {exc.message}", err=True)
                unreadable[source] = unusable(exc.message, "unknown")
        if len(sources) == 1:
            result = verify_presented(verifier, items[0], email=email)
            _report(result, as_json)
            results = [result]
        else:
            group = group_view(verifier, items, clock.utc_today(), email=email, names=read)
            verified = dict(zip(read, group.results, strict=True))
            # In the order given, each under the name it was given by.
            reports = [
                (source, verified[source] if source in verified else unreadable[source])
                for source in dict.fromkeys(sources)
            ]
            results = [result for _source, result in reports]
            _group_report(group, reports, as_json)
    raise typer.Exit(_exit_code(results))


def _exit_code(results: list[VerificationResult]) -> int:
    if any((c := r.check("parse")) is not None and not c.passed for r in results):
        return EXIT_UNUSABLE
    mismatched = any(r.recipient is not None and r.recipient.matches is not True for r in results)
    if mismatched or not all(r.verified for r in results):
        return EXIT_NOT_VERIFIED
    return EXIT_VERIFIED if all(r.recognised for r in results) else EXIT_UNRECOGNISED


@contextmanager
def _verifier() -> Iterator[Verifier]:
    """The installation's verifier if there is one; else one that touches no files at all."""
    settings = cli_settings()
    if not _installed(settings):
        yield uninstalled_verifier(settings.base_url, settings.trust_directory)
        return
    with installation() as runtime, installation_verifier(runtime) as verifier:
        yield verifier


def _installed(settings: Settings) -> bool:
    if not settings.master_key_path.is_file():
        return False
    url = settings.database_url
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).is_file()


def _read(verifier: Verifier, source: str) -> bytes:
    """A file's bytes, stdin, or the credential one of our own URLs names."""
    if source == "-":
        return sys.stdin.buffer.read()
    if source.startswith(("http://", "https://")):
        award = verifier.award_for_url(source)
        if award is not None and award.credential is not None:
            return json.dumps(award.credential).encode("utf-8")
        trusted = verifier.trust.documents.get(source)
        if trusted is not None:
            return json.dumps(trusted).encode("utf-8")
        raise InvalidInput(
            f"{source} is not fetched: credstack follows only its own URLs "
            f"({verifier.base_url}) and documents in its trust directory"
        )
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{source}: {exc.strerror or exc}") from exc


def _group_report(
    group: GroupReport, reports: list[tuple[str, VerificationResult]], as_json: bool
) -> None:
    """The group's findings, and a report for every file given (unreadable ones included),
    named by the file."""
    results = [result for _source, result in reports]
    if as_json:
        say(
            json.dumps(
                {
                    "all_verified": bool(results) and all(r.verified for r in results),
                    "credentials": [
                        {"source": source, **result_json(result)} for source, result in reports
                    ],
                    "stacks": [
                        {
                            "issuer": f.issuer,
                            "achievement": f.achievement,
                            "name": f.name,
                            "met": f.met,
                            "progress": f.progress,
                            "counted": list(f.counted),
                            "missing": list(f.missing),
                            "text": f.text,
                        }
                        for f in group.findings
                    ],
                    "not_counted": list(group.not_counted),
                    "holder": group.holder,
                },
                indent=2,
            )
        )
        return
    for source, result in reports:
        say(f"{source}:")
        _report(result, False)
    for finding in group.findings:
        say(finding.text)
    for line in group.not_counted:
        say(f"not counted: {line}")


def _report(result: VerificationResult, as_json: bool) -> None:
    report = result_json(result)
    if as_json:
        say(json.dumps(report, indent=2))
        return
    say(result.headline)
    if result.recognition is not None:
        say(f"issuer: {result.recognition.message}")
    if result.recipient is not None:
        say(f"recipient: {result.recipient.message}")
    if report["summary"] is not None:
        say(report["summary"]["text"])
    for check in result.checks:
        say(f"  [{'pass' if check.passed else 'FAIL'}] {check.name}: {check.message}")
    for note in result.notes:
        say(f"  note: {note}")


@credential_app.command("show")
def credential_show(public_id: Annotated[str, typer.Argument(help="Credential id.")]) -> None:
    """Print the signed credential (JSON-LD)."""
    with installation() as runtime:
        shown = exported_credential(runtime, public_id, CredentialForm.JSON)
    say(shown.data.decode("utf-8"))


@credential_app.command("export")
def credential_export(
    public_id: Annotated[str, typer.Argument(help="Credential id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    form: Annotated[str, typer.Option("--format", help="json, jwt, png, svg or pdf.")] = "json",
) -> None:
    """Write the credential as a file a holder can pass on."""
    if form not in _FORMATS:
        fail(f"--format {form!r}: use one of {', '.join(_FORMATS)}")
    with installation() as runtime:
        exported = exported_credential(runtime, public_id, CredentialForm(form))
    out.write_bytes(exported.data)
    say(f"wrote {out}")


@credential_app.command("share")
def credential_share(
    public_id: Annotated[str, typer.Argument(help="Credential id.")],
    days: Annotated[int | None, typer.Option(help="Days the link stays valid.")] = None,
) -> None:
    """Make a share link for the learner to hand on (printed once)."""
    with installation() as runtime:
        link = share_credential(runtime, Actor.operator(), public_id, valid_days=days)
    say(link.url)
    if link.expires_on is not None:
        say(f"valid until {link.expires_on.isoformat()}")


@credential_app.command("issue")
def credential_issue(
    public_id: Annotated[
        str | None, typer.Argument(help="Credential id; omit to sign every unsigned award.")
    ] = None,
) -> None:
    """Sign awards recorded without a credential (e.g. before keys were passed)."""
    with installation() as runtime:
        issued = sign_unsigned(runtime, Actor.operator(), public_id)
    for signed in issued:
        say(f"issued {signed}")
