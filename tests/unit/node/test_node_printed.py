"""The printed prescription's QR code between nodes (issue #16; docs/protocol.md §19.7): the
code of a prescription, as both the prescriber's and the pharmacy's node print it, verifies
on the pharmacy's node (a verified contact's key, this node the recipient, the same message
stored), fails once altered, and says so when the key is nobody this node knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.core.errors import Invalid
from node.edges.api.json import print_check_json
from node.protocol.printed import PrintedPrescription
from tests.unit.node.node_support import local_node, message
from tests.unit.node.test_node_prescriptions import (
    exchange,
    pair,
    prescribe,
    view,
)


async def test_a_printed_code_verifies_on_the_pharmacy_and_fails_altered(tmp_path: Path) -> None:
    gp, pharmacy, clock = await pair(tmp_path)
    stranger = await local_node(tmp_path / "other", "Pharmacie Autre", "pharmacist", None, clock)
    try:
        row = await prescribe(gp, pharmacy)
        await exchange(gp, pharmacy)
        received = await message(pharmacy, row.message_id)
        codes = pharmacy.core.printed.codes(received)
        assert codes is not None
        assert codes == gp.core.printed.codes(row)  # the same code on either side's print
        assert (await view(pharmacy, row.message_id))["print_codes"] == codes

        check = await pharmacy.core.printed.verify(codes)
        shown = print_check_json(check, pharmacy.ctx.contacts)
        assert shown["signature"] == "valid"
        assert shown["signer"]["contact"]["name"] == "Dr Martin"
        assert shown["signer"]["contact"]["verified"] is False  # not compared yet
        assert shown["signer"]["card_matches"] is True
        assert shown["recipient"]["ours"] is True
        assert shown["stored"] == "same"
        assert shown["prescription"]["prescriber"]["rpps"] == "10001234565"
        assert shown["lifecycle"]["state"] == "active"
        await pharmacy.core.trust.verify("Dr Martin")
        check = await pharmacy.core.printed.verify(codes)
        assert print_check_json(check, pharmacy.ctx.contacts)["signer"]["contact"]["verified"]

        # The prescriber checks their own print: their key, for their contact.
        mine = print_check_json(await gp.core.printed.verify(codes), gp.ctx.contacts)
        assert mine["signer"]["ours"] is True
        assert mine["recipient"]["name"] == "Pharmacie du Port"

        # A node that knows neither: valid signature, unknown key, another recipient.
        other = print_check_json(await stranger.core.printed.verify(codes), stranger.ctx.contacts)
        assert other["signer"]["contact"] is None
        assert other["signer"]["ours"] is False
        assert other["recipient"]["ours"] is False
        assert other["stored"] == "absent"

        # One byte of the signed body changed (the dose, say) and encoded again: refused.
        printed = PrintedPrescription.from_qr_texts(codes)
        body = bytearray(printed.body)
        body[len(body) // 2] ^= 0x01
        altered = PrintedPrescription(
            printed.kind, printed.signer, printed.recipient_id, printed.message_id, bytes(body)
        )
        with pytest.raises(Invalid) as caught:
            await pharmacy.core.printed.verify(altered.qr_texts())
        assert caught.value.code in ("print_signature_invalid", "print_code_invalid")
        # Signed with the true key, but the code claims another recipient: refused.
        moved = PrintedPrescription(
            printed.kind, printed.signer, bytes(16), printed.message_id, printed.body
        )
        with pytest.raises(Invalid) as caught:
            await pharmacy.core.printed.verify(moved.qr_texts())
        assert caught.value.code == "print_signature_invalid"
        for bad in (["RX1:1/1:00000000:AB"], ["hello"], [], "RX1:", [1]):
            with pytest.raises(Invalid):
                await pharmacy.core.printed.verify(bad)
    finally:
        await gp.close()
        await pharmacy.close()
        await stranger.close()
