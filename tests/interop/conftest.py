from __future__ import annotations

import pytest

from .node_harness import NodeHarness


@pytest.fixture(scope="session")
def node() -> NodeHarness:
    return NodeHarness()
