"""The local API's reason codes are one contract, written three times on purpose (the CLI
must not import the node): the node's validation, the CLI's translations and the doc."""

from __future__ import annotations

import re
from pathlib import Path

from clients.cli.fields import REASONS
from node.protocol.errors import CLINICAL_REASONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "local-api.md"


def documented_reasons() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("`invalid_field` errors carry") : text.index("## Conventions")]
    return set(re.findall(r"`([a-z_]+)`", section)) - {"invalid_field", "message"}


def test_node_cli_and_doc_name_the_same_reasons() -> None:
    assert set(REASONS) == set(CLINICAL_REASONS) == documented_reasons()
