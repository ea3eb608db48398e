"""Every clinical reason code the node can give has its sentence in the web client, in French and
English: a new rule cannot reach a form as a bare code ("prescription_expired"). A file's
refusals (size, type, name) are worded by the file form (``upload.error.*``)."""

from __future__ import annotations

import pytest

from node.edges.web.texts import TEXTS
from node.protocol.errors import CLINICAL_REASONS


@pytest.mark.parametrize("reason", sorted(CLINICAL_REASONS))
def test_every_clinical_reason_is_worded_in_both_languages(reason: str) -> None:
    key = f"reason.{reason}" if f"reason.{reason}" in TEXTS else f"upload.error.{reason}"
    french, english = TEXTS[key]
    assert french.strip()
    assert english.strip()
    assert french != english
