from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.integration.nodes import Node, outbox_empty, pair, wait_for


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[Node]]:
    """A GP and a pharmacy, initialised, started and paired; stopped afterwards."""
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    started = []
    try:
        for node in (gp, pharmacy):
            node.init()
            node.start()
            started.append(node)
        pair(gp, pharmacy)
        for node in (gp, pharmacy):  # contact cards delivered and receipted both ways
            wait_for(partial(outbox_empty, node), 30, "a settled pairing")
        yield [gp, pharmacy]
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.kill()
