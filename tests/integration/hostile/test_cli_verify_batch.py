"""Issue 10: `credstack verify` goes on past a bad file and never exits 70 for bad input."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Cli
from tests.integration.hostile.support import (
    hostile_bodies,
    pdf_with_unknown_filter,
    signed_credential,
)


def test_a_batch_goes_on_after_bad_files_and_exits_with_the_worst(
    tmp_path: Path, database_url: str
) -> None:
    cli = Cli(tmp_path / "data", database_url)
    cli.ok("init")
    good = tmp_path / "a.json"
    good.write_text(json.dumps(signed_credential()))
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(pdf_with_unknown_filter())
    deep = tmp_path / "deep.json"
    deep.write_bytes(hostile_bodies()["JSON nested 1,000 deep"][0])
    done = cli.run(
        "verify", str(good), str(bad_pdf), str(deep), str(tmp_path / "nope.json"), "--json"
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    assert "nope.json" in done.stderr
    report = json.loads(done.stdout)
    first, second, third, missing = report["credentials"]
    signature = next(c for c in first["checks"] if c["name"] == "signature")
    assert signature["passed"]  # verified as far as it can be (its status list is not ours)
    assert second["format"] == "pdf" and "the PDF cannot be read" in second["checks"][0]["message"]
    assert third["checks"][0]["message"] == (
        "The JSON is nested more than 64 levels deep; a credential needs about ten."
    )
    assert missing["verified"] is False

    alone = cli.run("verify", str(deep))
    assert alone.returncode == 2 and "Traceback" not in alone.stderr
    assert "nested more than 64 levels deep" in alone.stdout
