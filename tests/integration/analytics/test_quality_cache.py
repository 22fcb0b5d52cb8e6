"""The quality report's item statistics (the part that reads every candidate's first attempt)
are kept under the issuer's change mark: served again while nothing changed, computed again at
the next report after another runtime records an attempt, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.earning import quality, reviewing
from credstack.service.earning.csv_import import authorise_importing, import_results
from credstack.service.people import add_issuer, require_issuer
from credstack.service.runtime import Runtime, initialise, open_runtime
from tests.stories.test_story_09_quality_review import CATALOG, one_attempt, pilot

BASE = "https://credstack.test"
OPERATOR = Actor.operator()


def _record(runtime: Runtime, text: str) -> None:
    with runtime.uow() as uow:
        import_results(
            uow,
            runtime.keys(uow),
            issuer=require_issuer(uow, "ccrb"),
            text=text,
            add_learners=True,
            by=authorise_importing(OPERATOR, "ccrb"),
        )
        uow.commit()


@pytest.fixture
def runtimes(tmp_path: Path, database_url: str) -> Iterator[tuple[Runtime, Runtime]]:
    """A reader (a server process) and a writer (another process) on one database."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)
    reader = initialise(settings)
    writer = open_runtime(settings)
    try:
        with writer.uow() as uow:
            add_issuer(uow, writer.keys(uow), key="ccrb", name="CCRB", kind="certification-body")
            load_catalog(uow, issuer_key="ccrb", text=CATALOG.read_text(), source="ccrb.yaml")
            uow.commit()
        _record(writer, pilot()[0])
        yield reader, writer
    finally:
        writer.close()
        reader.close()


def _report(runtime: Runtime) -> quality.QualityReport:
    return reviewing.quality_report(runtime, OPERATOR, issuer="ccrb", achievement="gcp-essentials")


def _fresh(runtime: Runtime) -> quality.QualityReport:
    with runtime.uow(write=False) as uow:
        return quality.quality_report(
            uow, issuer=require_issuer(uow, "ccrb"), achievement_key="gcp-essentials"
        )


def test_item_statistics_are_kept_until_another_runtime_records_an_attempt(
    runtimes: tuple[Runtime, Runtime],
) -> None:
    reader, writer = runtimes
    first = _report(reader)
    (statistics,) = first.statistics
    assert statistics.candidates == 32
    again = _report(reader)
    assert again.statistics[0] is statistics  # kept: not computed again
    assert again == first == _fresh(reader)

    _record(writer, one_attempt("kim", "K-1", "2026-04-01T09:00:00+00:00"))

    after = _report(reader)
    assert after.statistics[0] is not statistics
    assert after.statistics[0].candidates == 33
    assert after == _fresh(reader)
    assert len(reader.caches.item_statistics) == 2
