"""The node's contacts in memory: each with its ratchet session (loaded when first needed), the
sequence numbers received above its mark, and a lock that orders what is sealed or opened for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from node.core.errors import Conflict, Invalid, NotFound
from node.core.records import ContactRow
from node.protocol import PublicIdentity, Session
from node.protocol.identity import format_node_id, parse_node_id_prefix


@dataclass
class Contact:
    row: ContactRow
    session: Session | None = None  # loaded lazily; dropped when a commit fails
    above_mark: set[int] | None = None  # received seqs >= recv_mark; loaded lazily
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Delivery receipts owed for committed messages, sent together a moment later. Losing them
    # in a crash is harmless: the sender sends the message again and gets a new receipt.
    owed_receipts: list[bytes] = field(default_factory=list)
    receipts_scheduled: bool = False
    # Ratchet positions decrypted but not yet committed (a duplicate of one must wait).
    saving: set[bytes] = field(default_factory=set)

    @property
    def contact_id(self) -> bytes:
        return self.row.contact_id

    @property
    def name(self) -> str:
        return self.row.card.profile.name

    @property
    def active(self) -> bool:
        return self.row.state == "active"

    def require_active(self) -> None:
        if not self.active:
            raise Conflict(
                "contact_inactive", f"no longer paired with this contact ({self.row.state})"
            )


class ContactBook(dict[bytes, Contact]):
    """Contacts by node id."""

    def resolve(self, reference: str) -> Contact:
        """By exact name, then node id prefix (4+ characters), then unique name prefix."""
        wanted = reference.strip().casefold()
        if not wanted:
            raise Invalid("bad_request", "no contact given")
        # A revoked or unpaired contact keeps its name in the history; a current one wins.
        everyone = list(self.values())
        active = [c for c in everyone if c.active]
        matches = _match(reference, wanted, active) or _match(reference, wanted, everyone)
        if not matches:
            raise NotFound("contact_not_found", "no contact matches")
        if len(matches) > 1:
            names = ", ".join(sorted(c.name for c in matches))
            raise Conflict("contact_ambiguous", f"several contacts match: {names}")
        return matches[0]

    def predecessor_of(self, peer: PublicIdentity) -> bytes | None:
        """The revoked contact that announced ``peer`` as its new identity, if any: pairing
        with it is a key change, and its messages are held until the user verifies it."""
        for contact in self.values():
            if contact.row.successor == peer.keys:
                return contact.contact_id
        return None

    def name_of(self, contact_id: bytes | None) -> str | None:
        contact = None if contact_id is None else self.get(contact_id)
        return None if contact is None else contact.name


def _match(reference: str, wanted: str, contacts: list[Contact]) -> list[Contact]:
    matches = [c for c in contacts if c.name.casefold() == wanted]
    if not matches:
        prefix = parse_node_id_prefix(reference)
        if len(prefix) >= 4:
            matches = [
                c
                for c in contacts
                if parse_node_id_prefix(format_node_id(c.contact_id)).startswith(prefix)
                or c.contact_id.hex().startswith(prefix)
            ]
    if not matches:
        matches = [c for c in contacts if c.name.casefold().startswith(wanted)]
    return matches
