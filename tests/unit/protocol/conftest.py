"""Fixtures for the protocol core's pure tests; the helpers live in protocol_support.py.

This folder has no ``__init__.py``: pytest imports each file in it as a top-level module,
while mypy names it by its path (``tests.unit.protocol.protocol_support``). Putting the
repository root on ``sys.path`` (as tests/vectors/generate.py does) lets the test modules
import the helpers by that same dotted name, so both tools agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from tests.unit.protocol.protocol_support import (  # noqa: E402
    Party,
    pair,
)


@pytest.fixture
def alice_and_bob(request: pytest.FixtureRequest) -> tuple[Party, Party]:
    """A freshly paired (acceptor, inviter) couple, seeded by the test's id."""
    seed: str = request.node.nodeid
    return pair(seed)
