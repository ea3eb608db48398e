"""A refused prescription is visible (issue #16, node.core.refusals): when the receiving node
refuses a prescription (bad signature, prescriber not the sender, not a prescriber, a rule
broken) or an answer about one it does not have, its user sees that one came from that
contact, and why, in the status document; never its content, and once per message."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from node.core.errors import Verdict
from node.core.sending import _drawing_first
from node.protocol import PayloadKind, system_random
from node.protocol.conversation import Cancellation, Meta, encode_conversation
from node.protocol.envelope import RatchetMessage, seal_packet
from node.protocol.payload import Payload
from node.protocol.prescription_signature import sign_body
from tests.unit.node.node_support import LocalNode, audit_events
from tests.unit.node.test_node_prescriptions import (
    OTHER_RPPS,
    TODAY,
    forge,
    form,
    hand_over,
    own_prescription,
    pair,
)

TOKEN = "t" * 43
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def status_refused(node: LocalNode) -> list[dict[str, Any]]:
    client = TestClient(TestServer(node.node.local_api(TOKEN, phone=False).create_app()))
    await client.start_server()
    try:
        refused: list[dict[str, Any]] = (
            await (await client.get("/v1/status", headers=AUTH)).json()
        )["refused"]
        return refused
    finally:
        await client.close()


async def unchecked(
    gp: LocalNode,
    pharmacy: LocalNode,
    kind: PayloadKind,
    body: bytes,
    message_id: bytes | None = None,
) -> bytes:
    """Seals a payload the GP's own checks would refuse (a modified sender): the session's
    sealing, minus its check of the body; as message ``message_id`` if given."""
    rand = system_random if message_id is None else _drawing_first(message_id, system_random)
    contact = gp.contact(pharmacy)
    async with contact.lock:
        session = await gp.ctx.session_of(contact)
        payload = Payload.new(kind, body, session.next_seq, gp.ctx.clock(), rand)
        header, ciphertext = session.ratchet.encrypt(payload.encode())
        session.next_seq += 1
        message = RatchetMessage(session.local.node_id, header, ciphertext)
        packet = seal_packet(message, session.peer.dh_key, system_random)
        now = gp.ctx.clock()
        await gp.ctx.commit(
            [
                gp.store.enqueue(contact.contact_id, packet, payload.message_id, now),
                gp.store.update_session(contact.contact_id, session),
            ]
        )
    return payload.message_id


async def test_a_prescription_in_another_name_is_shown_refused(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        base = own_prescription(gp)
        impostor = replace(base, prescriber=replace(base.prescriber, rpps=OTHER_RPPS))
        sent = await gp.core.sending.send_to(gp.contact(pharmacy), Meta(), impostor)
        assert await hand_over(gp, pharmacy) == [Verdict.GONE]
        [entry] = await status_refused(pharmacy)
        assert entry["message_id"] == sent.message_id.hex()
        assert entry["contact_id"] == gp.node_id.hex()
        assert entry["contact_name"] == "Dr Martin"
        assert entry["kind"] == "prescription"
        assert entry["reason"] == "prescriber_mismatch"
        assert entry["at"] is not None
        assert "DUPONT" not in str(entry)
        assert await audit_events(pharmacy, sent.message_id) == ["refused"]
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_bad_signature_and_an_unknown_cancellation_are_shown(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        message_id = bytes(range(16))
        _, body = encode_conversation(Meta(), own_prescription(gp))
        body = sign_body(
            gp.ctx.identity, PayloadKind.SIGNED_PRESCRIPTION, pharmacy.node_id, message_id, body
        )
        flipped = body[:-1] + bytes([body[-1] ^ 1])
        await forge(gp, pharmacy, flipped, message_id=message_id)
        cancellation = Cancellation(TODAY, "Erreur de posologie")
        cancel_id = bytes(range(5, 21))
        _, cancel_body = encode_conversation(Meta(reply_to=bytes(16)), cancellation)
        cancel_body = sign_body(
            gp.ctx.identity, PayloadKind.CANCELLATION, pharmacy.node_id, cancel_id, cancel_body
        )
        await forge(gp, pharmacy, cancel_body, PayloadKind.CANCELLATION, cancel_id)
        assert await hand_over(gp, pharmacy) == [Verdict.GONE, Verdict.GONE]
        refused = await status_refused(pharmacy)
        assert [(e["kind"], e["reason"]) for e in refused] == [
            ("cancellation", "unknown_prescription"),  # newest first
            ("prescription", "bad_signature"),
        ]
        assert refused[0]["message_id"] == cancel_id.hex()
        assert "posologie" not in str(refused)
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_prescription_breaking_a_rule_is_shown_with_the_rule(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        line = {**form()["lines"][0], "medicine": "XXXXXXXX", "inn": "YYYYYYYY"}
        prescription = own_prescription(gp, lines=[line])
        _, body = encode_conversation(Meta(), prescription)
        # A modified sender: a narcotic (needs a secure paper prescription, R.5132-5).
        body = body.replace(b"YYYYYYYY", b"morphine")
        message_id = bytes(range(3, 19))
        body = sign_body(
            gp.ctx.identity, PayloadKind.SIGNED_PRESCRIPTION, pharmacy.node_id, message_id, body
        )
        sent = await unchecked(gp, pharmacy, PayloadKind.SIGNED_PRESCRIPTION, body, message_id)
        assert sent == message_id
        fates = await hand_over(gp, pharmacy)
        assert fates == [Verdict.MALFORMED]
        [entry] = await status_refused(pharmacy)
        assert entry["message_id"] == sent.hex()
        assert (entry["kind"], entry["reason"]) == ("prescription", "rule")
        assert (entry["field"], entry["rule"]) == ("lines.0.medicine", "narcotic")
        assert await audit_events(pharmacy, sent) == ["refused"]
        # The same packet again adds nothing: one entry, one audit line.
        assert await pharmacy.store.message(sent) is None
        assert len(await status_refused(pharmacy)) == 1
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_refused_text_is_not_listed(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        await unchecked(gp, pharmacy, PayloadKind.TEXT, b"\x00\x00")  # blank text: malformed
        assert await hand_over(gp, pharmacy) == [Verdict.MALFORMED]
        assert await status_refused(pharmacy) == []
    finally:
        await gp.close()
        await pharmacy.close()
