"""A stored achievement definition decodes to the very value the catalog parser built."""

from __future__ import annotations

from pathlib import Path

import pytest

from credstack.catalog.parse import StoredDefinitionError, decode_achievement, parse_catalog
from credstack.errors import CredstackError
from credstack.service.catalog import content_hash, jsonable
from credstack.store.decoded import DecodedCatalog
from credstack.store.models import AchievementVersionRow

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _version(definition: dict[str, object]) -> AchievementVersionRow:
    document = jsonable(definition)
    return AchievementVersionRow(
        version=1,
        type=str(document["type"]),
        name=str(document["name"]),
        content_hash=content_hash(document),
        definition=document,
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_achievement_decodes_to_what_the_parser_built(path: Path) -> None:
    catalog = parse_catalog(path.read_text(), path.name).catalog
    assert catalog is not None
    for parsed in catalog.achievements:
        stored = jsonable(parsed.definition)  # as the store holds it: JSON numbers and text
        assert decode_achievement(stored) == parsed, parsed.key


def test_decoded_achievements_are_cached_by_content() -> None:
    definition: dict[str, object] = {
        "id": "sql",
        "type": "badge",
        "name": "SQL",
        "credits": 1.5,
        "validity": "P2Y",
        "requirements": [{"assessment": "sql-exam"}],
    }
    cache = DecodedCatalog(achievements=2)
    first, same = _version(definition), _version(dict(definition))
    decoded = cache.achievement(first)
    assert cache.achievement(same) is decoded
    assert str(decoded.credits) == "1.5" and decoded.validity is not None
    assert cache.sizes == (1, 0)
    changed = cache.achievement(_version({**definition, "credits": 2}))
    assert changed is not decoded and str(changed.credits) == "2"
    cache.achievement(_version({**definition, "credits": 3}))
    assert cache.sizes == (2, 0)  # bounded: the least recently used version made room
    again = cache.achievement(first)
    assert again == decoded and again is not decoded
    assert DecodedCatalog().achievement(first) is not again  # another runtime decodes its own


def test_a_definition_that_no_longer_decodes_is_a_clear_error() -> None:
    with pytest.raises(StoredDefinitionError, match=r"stored achievement x: .*type"):
        decode_achievement({"id": "x", "type": "nanodegree", "name": "X"})
    with pytest.raises(StoredDefinitionError, match="validity"):
        decode_achievement({"id": "x", "type": "badge", "name": "X", "validity": "soon"})
    with pytest.raises(CredstackError, match="reload the catalog"):
        DecodedCatalog().achievement(
            _version({"id": "x", "type": "badge", "name": "X", "validity": "soon"})
        )
