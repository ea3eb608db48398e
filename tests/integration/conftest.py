from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.nodes import Node, running_pair


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[Node]]:
    """A GP and a pharmacy, initialised, started and paired; stopped afterwards."""
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    with running_pair(gp, pharmacy) as pair_:
        yield list(pair_)
