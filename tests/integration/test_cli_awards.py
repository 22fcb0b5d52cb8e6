"""`credstack award list|history|revoke|decide` on the demo data, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    cli = Cli(tmp_path / "data", database_url)
    cli.ok("demo", "--no-serve")
    return cli


def ids(listing: str) -> list[str]:
    return [line.split("\t")[0] for line in listing.splitlines() if "\t" in line]


def test_list_filters_pages_and_states(cli: Cli) -> None:
    everything = json.loads(cli.ok("award", "list", "--json"))
    assert everything["total"] == 20 and len(everything["awards"]) == 20
    days = [a["awarded_on"] for a in everything["awards"]]
    assert days == sorted(days)
    hana = cli.ok("award", "list", "--learner", "hana", "--per-page", "2", "--page", "2")
    assert len(ids(hana)) == 2
    assert hana.splitlines()[-1] == "awards 3 to 4 of 5; next: --page 3"
    last = cli.ok("award", "list", "--learner", "hana", "--per-page", "2", "--page", "3")
    assert last.splitlines()[-1] == "awards 5 to 5 of 5"
    lakeside = cli.ok("award", "list", "--issuer", "lakeside")
    assert len(ids(lakeside)) == 6 and "Jo Jensen (jo)" in lakeside
    wcn = cli.ok("award", "list", "--achievement", "wound-care-nurse")
    signed = json.loads(cli.ok("credential", "show", ids(wcn)[0]))
    assert signed["validUntil"].startswith("2031-01-")  # 5 years from 2026-01-10
    until = signed["validUntil"][:10]
    assert f"Wound Care Nurse (wcb:wound-care-nurse v1), valid until {until}\t" in wcn
    assert cli.ok("award", "list", "--state", "flagged") == "no awards match\n"

    gcp = ids(cli.ok("award", "list", "--achievement", "ccrb:gcp-essentials"))[0]
    ccrp = ids(cli.ok("award", "list", "--achievement", "ccrb:ccrp"))[0]
    cli.ok("award", "revoke", gcp, "--reason", "exam sat by proxy")
    assert ids(cli.ok("award", "list", "--state", "revoked")) == [gcp]
    assert ids(cli.ok("award", "list", "--state", "flagged")) == [ccrp]
    active = json.loads(cli.ok("award", "list", "--state", "active", "--json"))
    assert active["total"] == 18
    assert {a["state"] for a in active["awards"]} == {"active"}


def test_bad_filters_are_usage_errors_naming_the_allowed_values(cli: Cli) -> None:
    state = cli.run("award", "list", "--state", "lost")
    assert state.returncode == 2
    allowed = "'active', 'flagged', 'expired', 'suspended', 'revoked'"
    assert f"'lost' is not one of {allowed}" in state.stderr
    assert cli.run("award", "list", "--per-page", "501").returncode == 2
    assert cli.run("award", "list", "--page", "0").returncode == 2
    unknown = cli.run("award", "list", "--learner", "nobody")
    assert (unknown.returncode, unknown.stderr) == (1, "error: unknown learner 'nobody'\n")


def test_decisions_are_keep_or_revoke_and_the_history_tells_who_and_why(cli: Cli) -> None:
    gcp = ids(cli.ok("award", "list", "--achievement", "ccrb:gcp-essentials"))[0]
    ccrp = ids(cli.ok("award", "list", "--achievement", "ccrb:ccrp"))[0]

    maybe = cli.run("award", "decide", ccrp, "maybe", "--reason", "unsure")
    assert maybe.returncode == 2
    assert "'maybe' is not one of 'keep', 'revoke'" in maybe.stderr
    not_flagged = cli.run("award", "decide", ccrp, "keep", "--reason", "fine")
    assert not_flagged.returncode == 1
    assert "not flagged for review" in not_flagged.stderr

    cli.ok("user", "add", "mentor@example.org", "--name", "Mo Mentor")
    refused = cli.run("award", "revoke", gcp, "--reason", "x", "--by", "mentor@example.org")
    assert refused.returncode == 1 and "needs the admin role" in refused.stderr
    assert ids(cli.ok("award", "list", "--state", "revoked")) == []

    admin = "admin@demo.credstack.invalid"
    out = cli.ok("award", "revoke", gcp, "--reason", "exam sat by proxy", "--by", admin)
    assert out.splitlines() == [
        f"revoked {gcp}",
        f"flagged {ccrp} for review (it counted the revoked award)",
    ]
    assert cli.ok("award", "decide", ccrp, "revoke", "--reason", "no GCP", "--by", admin) == (
        f"{ccrp}: revoked\n"
    )
    history = json.loads(cli.ok("award", "history", ccrp, "--json"))
    assert [(e["kind"], e["actor"]) for e in history] == [
        ("issued", "credstack"),
        ("flagged", "credstack"),
        ("revoked", f"Demo administrator <{admin}>"),
    ]
    assert history[0]["reason"] == "made by the stacking engine; awarded on 2026-03-23"
    assert "GCP Essentials" in history[1]["reason"] and "was revoked" in history[1]["reason"]
    assert history[2]["reason"] == "no GCP"
    lines = cli.ok("award", "history", gcp).splitlines()
    assert lines[-1].endswith(f"\trevoked\tby Demo administrator <{admin}>: exam sat by proxy")
    missing = cli.run("award", "history", "no-such-award")
    assert (missing.returncode, missing.stderr) == (1, "error: no award 'no-such-award'\n")


def test_suspend_and_reinstate_like_revoke(cli: Cli) -> None:
    gcp = ids(cli.ok("award", "list", "--achievement", "ccrb:gcp-essentials"))[0]
    ccrp = ids(cli.ok("award", "list", "--achievement", "ccrb:ccrp"))[0]
    cli.ok("user", "add", "mentor@example.org", "--name", "Mo Mentor")
    refused = cli.run("award", "suspend", gcp, "--reason", "x", "--by", "mentor@example.org")
    assert refused.returncode == 1 and "needs the admin role" in refused.stderr
    not_suspended = cli.run("award", "reinstate", gcp, "--reason", "nothing to lift")
    assert (not_suspended.returncode, not_suspended.stderr) == (
        1,
        "error: only a suspended award can be reinstated; this one is active\n",
    )
    blank = cli.run("award", "suspend", gcp, "--reason", " ")
    assert (blank.returncode, blank.stderr) == (1, "error: a suspension needs a reason\n")

    admin = "admin@demo.credstack.invalid"
    out = cli.ok("award", "suspend", gcp, "--reason", "proctor under review", "--by", admin)
    assert out.splitlines() == [
        f"suspended {gcp}",
        f"flagged {ccrp} for review (it counted the suspended award)",
    ]
    assert ids(cli.ok("award", "list", "--state", "suspended")) == [gcp]
    assert ids(cli.ok("award", "list", "--state", "flagged")) == [ccrp]
    again = cli.run("award", "suspend", gcp, "--reason", "again")
    assert (again.returncode, again.stderr) == (
        1,
        "error: only an active award can be suspended; this one is suspended\n",
    )
    signed = cli.data_dir.parent / "gcp.json"
    signed.write_text(cli.ok("credential", "show", gcp))
    report = json.loads(cli.run("verify", str(signed), "--json").stdout)
    assert report["verified"] is False
    [check] = [c for c in report["checks"] if c["name"] == "suspension"]
    assert check["passed"] is False and check["message"].startswith("The credential was suspended")

    out = cli.ok("award", "reinstate", gcp, "--reason", "proctor cleared", "--by", admin)
    assert out.splitlines() == [
        f"reinstated {gcp}",
        f"cleared the flag on {ccrp} (its support is whole again)",
    ]
    assert cli.ok("award", "list", "--state", "suspended") == "no awards match\n"
    assert cli.ok("award", "list", "--state", "flagged") == "no awards match\n"
    assert json.loads(cli.run("verify", str(signed), "--json").stdout)["verified"] is True
    lines = cli.ok("award", "history", gcp).splitlines()
    assert lines[-2].endswith(f"\tsuspended\tby Demo administrator <{admin}>: proctor under review")
    assert lines[-1].endswith(f"\treinstated\tby Demo administrator <{admin}>: proctor cleared")
    restored = cli.ok("award", "history", ccrp).splitlines()[-1]
    assert restored.endswith(f"\trestored\tby credstack: support restored: {gcp} was reinstated")
    assert "intact" in cli.ok("audit-trail", "verify")
    cli.ok("award", "revoke", gcp, "--reason", "exam sat by proxy")
    final = cli.run("award", "reinstate", gcp, "--reason", "changed our mind")
    assert final.returncode == 1 and "this one is revoked" in final.stderr
