"""The JSON documents of the local API (docs/local-api.md: "Contact", "Message"): how a contact
and a conversation message are shown to the CLI, printing and the FHIR export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from node.core.contacts import Contact, ContactBook
from node.core.node import NodeCore
from node.core.prescriptions import Lifecycle
from node.core.printed import PrintCheck
from node.core.records import MessageRow, content_of
from node.protocol import PayloadKind, PublicIdentity, safety_number
from node.protocol.conversation import (
    AttachmentManifest,
    Cancellation,
    Dispensing,
    EscalationNotice,
    Handoff,
    Prescription,
    Priority,
    ReadBack,
    TextContent,
    decode_conversation,
    kind_name,
)
from node.protocol.identity import format_node_id
from node.protocol.profile import Profile


def iso(timestamp: float | None) -> str | None:
    """UTC with milliseconds, as every time in the local API."""
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def party(profile: Profile, node_id: bytes) -> dict[str, Any]:
    return {
        "name": profile.name,
        "node_id": format_node_id(node_id),
        "role": profile.role.name.lower(),
        "phone": profile.phone,
    }


def contact_json(contact: Contact, own: PublicIdentity, contacts: ContactBook) -> dict[str, Any]:
    row = contact.row
    listed = row.mailboxes
    return {
        "contact_id": row.contact_id.hex(),
        "node_id": format_node_id(row.contact_id),
        "name": row.card.profile.name,
        "role": row.card.profile.role.name.lower(),
        "safety_number": safety_number(own, row.public),
        "verified": row.verified,
        "state": row.state,
        "key_changed": row.predecessor is not None,
        "replaces": contacts.name_of(row.predecessor),
        "held": row.held,
        "paired_at": iso(row.paired_at),
        "endpoints": [e.url for e in row.card.reachability.direct],
        "relays": [e.url for e in row.card.reachability.relays],
        # Its public mailboxes (a clinic server, docs/protocol.md §9.6); None: told none.
        "mailboxes": None
        if listed is None
        else [
            {
                "mailbox_id": m.mailbox_id.hex(),
                "name": m.name,
                "prescriber": None if m.prescriber is None else m.prescriber.name,
            }
            for m in listed.mailboxes
        ],
    }


async def mailbox_fields(
    core: NodeCore, row: MessageRow, contact: Contact | None
) -> dict[str, Any]:
    """A message's mailboxes and who read it (a clinic server, node.core.mailboxes):
    ``mailbox`` ours (filed in, or sent from), ``to_mailbox`` the contact's it was sent to,
    ``marks`` each person's read and acknowledged ("lu par")."""
    book = core.mailboxes
    ours = book.get(row.mailbox)
    theirs = None
    if row.direction == "out" and contact is not None and contact.row.mailboxes is not None:
        named = decode_conversation(PayloadKind(row.kind), row.body)[0].mailbox
        found = None if named is None else contact.row.mailboxes.get(named)
        if found is not None:
            theirs = {"mailbox_id": found.mailbox_id.hex(), "name": found.name}
    marks = []
    for account_id, event, at in await core.reading.marks(row):
        person = book.people.get(account_id)
        marks.append(
            {
                "account_id": account_id,
                "name": None if person is None else person.name,
                "event": event,
                "at": iso(at),
            }
        )
    return {
        "mailbox": None
        if ours is None
        else {"mailbox_id": ours.mailbox_id.hex(), "name": ours.name, "kind": ours.kind},
        "to_mailbox": theirs,
        "marks": marks,
    }


def lifecycle_json(lifecycle: Lifecycle) -> dict[str, Any]:
    """What became of a prescription (docs/local-api.md, "Message")."""
    return {
        "state": lifecycle.state,
        "by": None if lifecycle.by is None else lifecycle.by.hex(),
        "reason": lifecycle.reason,
        "valid_until": None if lifecycle.valid_until is None else lifecycle.valid_until.isoformat(),
        "expired": lifecycle.expired,
        "dispensing": [
            {
                "message_id": reply.message_id.hex(),
                "at": iso(reply.listed_at),
                **report.to_json(),
            }
            for reply, report in lifecycle.dispensing
        ],
    }


def signature_json(row: MessageRow, content: object) -> dict[str, Any] | None:
    """Whether a prescription or cancellation is signed (§19): ``verified`` (received: the
    node refuses any other), ``signed`` (ours), ``unsigned`` (stored before version 2)."""
    if row.kind == PayloadKind.PRESCRIPTION:
        return {"state": "unsigned", "rpps": None, "name": None}
    if row.kind not in (PayloadKind.SIGNED_PRESCRIPTION, PayloadKind.CANCELLATION):
        return None
    state = "verified" if row.direction == "in" else "signed"
    if isinstance(content, Prescription):
        return {"state": state, "rpps": content.prescriber.rpps, "name": content.prescriber.name}
    return {"state": state, "rpps": None, "name": None}


def message_record(
    row: MessageRow,
    me: dict[str, Any],
    contact: dict[str, Any] | None,
    parts_done: int | None,
    lifecycle: Lifecycle | None = None,
) -> dict[str, Any]:
    """The JSON form of a conversation message. ``me``/``contact`` are :func:`party` dicts;
    ``parts_done`` counts an attachment's chunks delivered (ours) or received (theirs);
    ``lifecycle``: a prescription's."""
    content = content_of(row)
    incoming = row.direction == "in"
    record: dict[str, Any] = {
        "message_id": row.message_id.hex(),
        "direction": row.direction,
        "contact_id": row.contact_id.hex(),
        "contact_name": contact["name"] if contact else None,
        "contact_phone": contact["phone"] if contact else None,
        "seq": row.seq,
        "kind": kind_name(PayloadKind(row.kind)),
        "priority": Priority(row.priority).name.lower(),
        "reply_to": None if row.reply_to is None else row.reply_to.hex(),
        "text": content.text if isinstance(content, TextContent) else None,
        "handoff": content.to_json() if isinstance(content, Handoff) else None,
        "prescription": content.to_json() if isinstance(content, Prescription) else None,
        "attachment": None,
        "cancellation": content.to_json() if isinstance(content, Cancellation) else None,
        "dispensing": content.to_json() if isinstance(content, Dispensing) else None,
        "read_back": content.to_json() if isinstance(content, ReadBack) else None,
        "escalation": _escalation_json(content),
        "signature": signature_json(row, content),
        "lifecycle": None if lifecycle is None else lifecycle_json(lifecycle),
        "sent_at": iso(row.sent_at_ms / 1000),
        "received_at": iso(row.received_at),
        "status": row.status,
        "delivered_at": iso(row.delivered_at),
        "read_at": iso(row.read_at),
        "acknowledged_at": iso(row.acknowledged_at),
        "sender": contact if incoming else me,
        "recipient": me if incoming else contact,
    }
    if isinstance(content, AttachmentManifest):
        record["attachment"] = {
            **content.to_json(),
            "chunks": content.chunk_count,
            "done": parts_done or 0,
            "complete": (row.complete_at is not None)
            if incoming
            else parts_done == content.chunk_count,
            "corrupt": row.corrupt,
        }
    return record


def _escalation_json(content: object) -> dict[str, Any] | None:
    """A backup contact's notice (§18.9), its sending time in the API's form."""
    if not isinstance(content, EscalationNotice):
        return None
    return {
        "from": content.sender,
        "to": content.recipient,
        "sent_at": iso(content.sent_at_ms / 1000),
        "waited_minutes": content.waited_minutes,
    }


def print_check_json(check: PrintCheck, contacts: ContactBook) -> dict[str, Any]:
    """POST /v1/prescriptions/verify (docs/local-api.md, "Printed prescriptions"): the
    signature verified; who holds the key, for whom, and whether we have that message."""
    printed, content, signer = check.printed, check.content, check.signer
    recipient = check.recipient
    return {
        "signature": "valid",
        "kind": kind_name(printed.kind),
        "message_id": printed.message_id.hex(),
        "reply_to": None if check.meta.reply_to is None else check.meta.reply_to.hex(),
        "signer": {
            "node_id": format_node_id(printed.signer.node_id),
            "signing_key": printed.signer.signing_key.hex(),
            "ours": check.signed_by_us,
            "contact": None
            if signer is None
            else {
                "name": signer.name,
                "role": signer.row.card.profile.role.name.lower(),
                "verified": signer.row.verified,
                "state": signer.row.state,
            },
            "card_matches": check.card_matches,
        },
        "recipient": {
            "node_id": format_node_id(printed.recipient_id),
            "ours": check.for_us,
            "name": None if recipient is None else recipient.name,
        },
        "stored": check.stored,
        "prescription": content.to_json() if isinstance(content, Prescription) else None,
        "cancellation": content.to_json() if isinstance(content, Cancellation) else None,
        "lifecycle": None if check.lifecycle is None else lifecycle_json(check.lifecycle),
    }


async def message_document(core: NodeCore, row: MessageRow) -> dict[str, Any]:
    """A stored conversation message as the local API's MESSAGE document (docs/local-api.md),
    for the API and the web client alike."""
    ctx = core.ctx
    me = party(ctx.profile, ctx.identity.public.node_id)
    contact = ctx.contacts.get(row.contact_id)
    them = None if contact is None else party(contact.row.card.profile, row.contact_id)
    done = None
    if row.kind == PayloadKind.ATTACHMENT:
        done = await core.attachments.parts_done(row)
    lifecycle = await core.prescriptions.lifecycle(row)
    record = message_record(row, me, them, done, lifecycle)
    record["contact_verified"] = contact.row.verified if contact else False
    record.update(await mailbox_fields(core, row, contact))
    record["print_codes"] = core.printed.codes(row)
    read_backs = await core.read_backs.of(row)
    record["read_backs"] = (
        None
        if read_backs is None
        else [
            {
                "message_id": shown.row.message_id.hex(),
                "direction": shown.row.direction,
                "at": iso(shown.row.listed_at),
                "status": shown.row.status,
                "text": shown.text,
            }
            for shown in read_backs
        ]
    )
    return record
