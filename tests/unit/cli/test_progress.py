"""The import's progress: plain periodic lines off a terminal, a rich bar on one."""

from __future__ import annotations

import pytest

from credstack.cli.progress import ProgressDisplay, plain_line
from credstack.service.bulk import Progress


def _at(settled: int, seconds: float) -> Progress:
    return Progress(
        job="j", total=1000, settled=settled, done=settled, skipped=0, failed=0,
        seconds=seconds, this_run=settled,
    )  # fmt: skip


def test_a_plain_line_says_how_far_how_fast_and_how_long_is_left() -> None:
    assert plain_line(_at(250, 5.0)) == "250/1000 rows (25%), 50 rows/s, ETA 15 s"
    assert plain_line(_at(100, 10.0)) == "100/1000 rows (10%), 10 rows/s, ETA 1 min 30 s"
    assert plain_line(_at(0, 0.0)).endswith("ETA unknown")


def test_off_a_terminal_lines_come_at_most_every_few_seconds_and_at_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with ProgressDisplay("class.csv", terminal=False) as show:
        show(_at(10, 1.0))
        show(_at(20, 2.0))  # within PLAIN_EVERY_SECONDS of the first: not printed
        show(_at(1000, 3.0))
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "class.csv: 10/1000 rows (1%), 10 rows/s, ETA 1 min 39 s",
        "class.csv: 1000/1000 rows (100%), 333 rows/s, ETA 0 s",
    ]


def test_on_a_terminal_a_bar_with_rate_and_eta_goes_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with ProgressDisplay("class.csv", terminal=True) as show:
        show(_at(500, 5.0))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "class.csv" in captured.err and "500/1000" in captured.err
