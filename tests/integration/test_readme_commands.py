"""Every `credstack` command of the README's tour runs, as written, on the demo data.

The commands come from README.md itself (the `sh` block of the tour and the inline
`credstack ...` commands around it), so a README line that stops being true fails here. Each
block command has its expected exit code and what its output must say; a new README command
without an expectation fails too, so nobody adds a line this test does not check.
"""

from __future__ import annotations

import glob
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from credstack.cli.app import command_tree
from tests.helpers import Cli

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
TOUR = README[README.index("## A tour") : README.index("### API")]
PLACEHOLDER = re.compile(r"<(?:str|int|float|bool|path|list\[)|\{[a-z_]+\}")


def block_commands() -> list[str]:
    """The tour's `sh` block lines, without their trailing comments."""
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", TOUR, flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "credstack":
                commands.append(shlex.join(words))
    return commands


def inline_commands() -> list[str]:
    prose = re.sub(r"```.*?```", "", TOUR, flags=re.S)
    return re.findall(r"`(credstack(?: [^`]*)?)`", prose)


@dataclass(frozen=True)
class Expect:
    pattern: str
    """A regular expression the standard output must match."""
    code: int = 0


EXPECTED = {
    "credstack catalog validate 'examples/*.yaml'": Expect(
        r"examples/solar-trade-association\.yaml: ok \(1 achievement\)[\s\S]*"
        r"examples/wound-care-board\.yaml: ok \(9 achievements\)"
    ),
    "credstack catalog load examples/northwind-data-academy.yaml --issuer northwind": Expect(
        r"northwind-data-academy\.yaml: no changes \(10 definitions unchanged\)"
    ),
    "credstack catalog export examples/lakeside-university.yaml --format ctdl -o lakeside.jsonld": (
        Expect(r"^wrote lakeside\.jsonld: ctdl export, \d+ resources$")
    ),
    "credstack catalog export --issuer northwind --format ob3": Expect(
        r'^\{\n  "@context": \[\n    "https://www\.w3\.org/ns/credentials/v2",[\s\S]*'
        r'"id": "https?://[^"]+/api/v1/issuers/northwind/achievements/'
    ),
    "credstack progress ana junior-data-analyst --as-of 2026-11-01": Expect(
        r"not met \(3 of 5 requirements\)\n  next step: "
    ),
    "credstack result record --issuer northwind --learner ana --assessment statistics-exam "
    "--score 75": Expect(r"\(passed, 75%\)\nawarded descriptive-statistics v1"),
    "credstack audit jo lakeside:ms-data-science": Expect(
        r"Graduate Certificate in Data Engineering: 12 of 12 credits counted"
    ),
    "credstack ce report ben ccrp": Expect(
        r"6 of 30 hours; short by 24 hours[\s\S]*days until the last day of the cycle"
    ),
    "credstack ce reminders --days 180": Expect(r"no reminders due|needed, \d+ days? left"),
    "credstack ce close --as-of 2027-01-15": Expect(r"^no cycles due$"),
    "credstack award list --learner ben": Expect(
        r"\tactive\t2026-03-02\tGCP Essentials \(ccrb:gcp-essentials v1\), no end date\t"
        r"Ben Brooks \(ben\)[\s\S]*awards 1 to 6 of 6"
    ),
    "credstack award revoke AWARD --reason 'exam sat by proxy'": Expect(
        r"^revoked \S+\nflagged \S+ for review \(it counted the revoked award\)$"
    ),
    "credstack award decide AWARD keep --reason 'other evidence suffices'": Expect(r"^\S+: kept$"),
    "credstack award suspend AWARD --reason 'proctor under inquiry'": Expect(r"^suspended \S+$"),
    "credstack award reinstate AWARD --reason 'inquiry cleared the proctor'": Expect(
        r"^reinstated \S+$"
    ),
    "credstack award history AWARD": Expect(
        r"\tissued\tby credstack: made by the stacking engine; awarded on 2026-03-23\n"
        r".*\tflagged\tby credstack: GCP Essentials .* was revoked on .*\n"
        r".*\tkept\tby operator: other evidence suffices$"
    ),
    "credstack award import examples/northwind-graduates.csv --issuer northwind": Expect(
        r"^job \S+: done; issued 3 of 3 rows, skipped 0 \(already held\), failed 0 in "
    ),
    "credstack jobs list": Expect(r"^\S+\taward-import\tdone\t3/3 issued, 0 skipped, 0 failed"),
    "credstack worker --until-idle": Expect(
        r"^credstack worker on the (SQLite database|PostgreSQL queue) until idle\n"
        r"credstack worker stopped$"
    ),
    "credstack review report ccrb gcp-essentials": Expect(r"\d of \d checks met"),
    "credstack credential export AWARD --format json --out credential.json": Expect(
        r"^wrote credential\.json$"
    ),
    "credstack credential export AWARD --format png --out badge.png": Expect(r"^wrote badge\.png$"),
    "credstack verify credential.json badge.png": Expect(
        r"^Verified: issued by Wound Care Specialty Board; every check passed\.\n"
        r"issuer: .*a recognised issuer[\s\S]*\nWound Care Nurse \(certification\)"
    ),
    "credstack issuer add solo --name 'Solo Trainer' --did-method key": Expect(
        r"^issuer solo created: did:key:z6Mk\S+$"
    ),
    "credstack audit-trail verify": Expect(r"^\d+ events, chain intact$"),
    "credstack engine reevaluate": Expect(
        r"^learners\t\d+\nawards granted\t0\nexpired\t0\n[\s\S]*\nlearners/s\t\d+$"
    ),
}


def _award_ids(run: Runner, *args: str) -> list[str]:
    listing = run(["award", "list", *args])
    return [line.split("\t")[0] for line in listing.stdout.splitlines() if "\t" in line]


class Runner:
    def __init__(self, cli: Cli, cwd: Path) -> None:
        self.cli, self.cwd = cli, cwd

    def __call__(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "credstack", *args],
            env=self.cli.env(),
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result


@pytest.fixture
def run(tmp_path: Path, database_url: str) -> Runner:
    work = tmp_path / "work"
    work.mkdir()
    (work / "examples").symlink_to(REPO / "examples")
    return Runner(Cli(tmp_path / "data", database_url), work)


def test_every_tour_command_has_an_expectation() -> None:
    assert block_commands() == list(EXPECTED)
    assert "credstack demo --no-serve" in inline_commands()


def test_every_readme_command_runs_as_the_readme_says(run: Runner) -> None:
    seeded = run(["demo", "--no-serve"])
    assert seeded.returncode == 0, seeded.stderr
    assert "20 new awards made by the stacking engine" in seeded.stdout
    gcp = _award_ids(run, "--learner", "ben", "--achievement", "gcp-essentials")
    ccrp = _award_ids(run, "--achievement", "ccrb:ccrp")
    wcn = _award_ids(run, "--achievement", "wcb:wound-care-nurse")
    assert (len(gcp), len(ccrp), len(wcn)) == (1, 1, 1)
    award_for = {
        "award revoke": gcp[0],  # ccrp counted it: it is flagged
        "award decide": ccrp[0],
        "award history": ccrp[0],
        "award suspend": wcn[0],  # then reinstated: exported below as valid
        "award reinstate": wcn[0],
        "credential export": wcn[0],
    }
    for command in block_commands():
        words = shlex.split(command)[1:]
        which = " ".join(words[:2])
        words = [award_for[which] if w == "AWARD" else w for w in words]
        words = [m for w in words for m in (sorted(glob.glob(w, root_dir=run.cwd)) or [w])]
        result = run(words)
        expect = EXPECTED[command]
        assert result.returncode == expect.code, f"{command}: {result.stderr}"
        assert re.search(expect.pattern, result.stdout.strip(), flags=re.M), (
            f"{command} printed:\n{result.stdout}"
        )


def test_every_inline_command_exists_and_its_help_is_plain(tmp_path: Path) -> None:
    """Inline commands name commands (the demo's runs above): each answers `--help`."""
    run = Runner(Cli(tmp_path / "data", f"sqlite:///{tmp_path}/unused.db"), tmp_path)
    names = sorted(command_tree().commands)
    for command in inline_commands():
        words = shlex.split(command)[1:]
        if words == ["demo", "--no-serve"]:
            continue
        if words == ["--version"]:
            assert re.fullmatch(r"credstack \d+\.\d+\.\d+\S*\n", run(words).stdout)
            continue
        expanded = [[n if w == "COMMAND" else w for w in words] for n in names]
        for args in expanded if "COMMAND" in words else [words]:
            shown = run([*args, "--help"] if "--help" not in args else args)
            assert shown.returncode == 0, f"{command}: {shown.stderr}"
            assert "Usage: credstack" in shown.stdout
            assert not PLACEHOLDER.search(shown.stdout), shown.stdout
