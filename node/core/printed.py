"""The QR code of a printed prescription (docs/protocol.md §19.7; docs/local-api.md,
"Printed prescriptions"): what the page carries, and what a photo of it proves.

- :meth:`PrintedCopies.codes`: the QR texts of a signed prescription or cancellation we sent
  or received (the signer is us, or the contact who sent it), for the printed page.
- :meth:`PrintedCopies.verify`: the codes read from a photo, checked with the signer's key
  that the code itself carries; then what this node knows of that key (a contact of ours,
  verified or not; ourselves), of the recipient, and of the message (the same signed body in
  our store, another one, or none). The code says who signed; only the contact book says
  whether that key is the person the user checked at pairing.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Invalid
from node.core.prescriptions import Lifecycle, Prescriptions
from node.core.records import MessageRow
from node.protocol import PayloadKind
from node.protocol.conversation import Cancellation, Meta, Prescription
from node.protocol.errors import DecryptionFailed, LocalProtocolError, RemoteProtocolError
from node.protocol.prescription_signature import SIGNED_KINDS
from node.protocol.printed import PrintedPrescription

MAX_CODES = 16  # QR texts in one request: a page has at most MAX_PARTS, a photo a few more


@dataclass(frozen=True)
class PrintCheck:
    """A printed code whose signature verified, and what this node knows about it."""

    printed: PrintedPrescription
    meta: Meta
    content: Prescription | Cancellation
    signer: Contact | None  # a contact of ours with exactly that key
    signed_by_us: bool
    recipient: Contact | None
    for_us: bool
    stored: str  # "same" (this signed body), "different" (that id, another body), "absent"
    card_matches: bool | None  # the prescriber block against the signer's card; None: no card
    lifecycle: Lifecycle | None  # when stored, what became of it


class PrintedCopies:
    def __init__(self, ctx: NodeContext, prescriptions: Prescriptions) -> None:
        self._ctx = ctx
        self._prescriptions = prescriptions

    def codes(self, row: MessageRow) -> list[str] | None:
        """The page's QR texts for a signed prescription or cancellation; None for another
        kind, a contact no longer known, or a body too large for the page's codes."""
        if row.kind not in SIGNED_KINDS:
            return None
        own = self._ctx.identity.public
        if row.direction == "out":
            signer, recipient_id = own, row.contact_id
        else:
            contact = self._ctx.contacts.get(row.contact_id)
            if contact is None:
                return None
            signer, recipient_id = contact.row.public, own.node_id
        try:
            printed = PrintedPrescription(
                PayloadKind(row.kind), signer, recipient_id, row.message_id, row.body
            )
            return printed.qr_texts()
        except LocalProtocolError:
            return None

    async def verify(self, texts: object) -> PrintCheck:
        """``Invalid`` ``print_code_invalid`` when the texts hold no complete Relève code,
        ``print_signature_invalid`` when the signature does not verify (an altered code)."""
        if (
            not isinstance(texts, list)
            or not 1 <= len(texts) <= MAX_CODES
            or not all(isinstance(text, str) for text in texts)
        ):
            raise Invalid("bad_request", f"codes must be a list of 1 to {MAX_CODES} texts")
        try:
            printed = PrintedPrescription.from_qr_texts(texts)
        except RemoteProtocolError:
            raise Invalid("print_code_invalid", "not a printed Relève prescription code") from None
        try:
            meta, content = printed.verify()
        except DecryptionFailed:
            raise Invalid(
                "print_signature_invalid", "the signature does not match the code's content"
            ) from None
        except RemoteProtocolError:
            raise Invalid("print_code_invalid", "the signed content does not decode") from None
        assert isinstance(content, Prescription | Cancellation)
        contacts, own = self._ctx.contacts, self._ctx.identity.public
        signer = contacts.get(printed.signer.node_id)
        if signer is not None and signer.row.public != printed.signer:
            signer = None  # cannot happen: the node id commits to both keys
        card_matches = None
        if signer is not None and isinstance(content, Prescription):
            card = signer.row.card.profile.prescriber
            card_matches = (
                card is not None
                and card.rpps == content.prescriber.rpps
                and card.name == content.prescriber.name
            )
        row = await self._ctx.repo.message(printed.message_id)
        stored, lifecycle = "absent", None
        if row is not None:
            same = row.kind == printed.kind and row.body == printed.body
            stored = "same" if same else "different"
            if same:
                lifecycle = await self._prescriptions.lifecycle(row)
        return PrintCheck(
            printed=printed,
            meta=meta,
            content=content,
            signer=signer,
            signed_by_us=printed.signer == own,
            recipient=contacts.get(printed.recipient_id),
            for_us=printed.recipient_id == own.node_id,
            stored=stored,
            card_matches=card_matches,
            lifecycle=lifecycle,
        )
