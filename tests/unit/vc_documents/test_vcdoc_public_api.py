"""The package's public surface is exactly what ``__all__`` lists, and all of it imports."""

from __future__ import annotations

import credstack.vc as vc


def test_every_public_name_exists() -> None:
    missing = [name for name in vc.__all__ if not hasattr(vc, name)]
    assert missing == []
    assert len(vc.__all__) == len(set(vc.__all__))
