"""A prescription's validity (CSP R.5132-22: first dispensing within three months of its date;
docs/protocol.md §19, "Validity"), on both sides: the sender's form refuses one already past it
(`date`, `prescription_expired`), a peer's body is never refused for its age (the date is the
prescriber's; the receiving node shows it past its validity: test_node_prescriptions.py)."""

from __future__ import annotations

import datetime

import pytest

from node.protocol.conversation import (
    Meta,
    content_from_json,
    decode_conversation,
    encode_conversation,
)
from node.protocol.errors import ClinicalError
from node.protocol.prescription import Prescription, valid_until
from tests.unit.protocol.test_protocol_clinical import prescription_json

DATE = datetime.date(2025, 11, 29)  # prescription_json()'s date


def test_the_last_day_of_validity_is_accepted() -> None:
    last = valid_until(DATE)
    assert last == datetime.date(2026, 2, 28)  # 29 February 2026 does not exist
    assert isinstance(content_from_json("prescription", prescription_json(), last), Prescription)


@pytest.mark.parametrize("late", [1, 30, 400])
def test_a_form_past_its_validity_is_refused(late: int) -> None:
    today = valid_until(DATE) + datetime.timedelta(days=late)
    with pytest.raises(ClinicalError) as caught:
        content_from_json("prescription", prescription_json(), today)
    assert (caught.value.field, caught.value.reason) == ("date", "prescription_expired")
    assert "2025" not in str(caught.value)  # the message names the rule, never the value


def test_a_peers_prescription_is_not_refused_for_its_age() -> None:
    prescription = content_from_json("prescription", prescription_json(), DATE)
    kind, body = encode_conversation(Meta(), prescription)
    # Decoding has no clock: a prescription that arrives a year late still decodes.
    assert decode_conversation(kind, body)[1] == prescription
