"""A practice's mailboxes as its contacts see them (docs/protocol.md §9.6).

A clinic server is one paired identity with several mailboxes ("Secrétariat", "Dr Martin").
It tells its contacts which ones they may write to with a MAILBOXES payload; a sender names
one in the meta of its message (conversation.py, §18.1), inside the encrypted payload: a relay
never sees it.

    mailboxes = version (u8 = 1) || flags (u8: 0x01 answer requested)
                || count (u8, at most 32) || mailbox * count
    mailbox   = id (8 bytes) || bytes8(name, UTF-8) || has prescriber (u8: 0 or 1)
                || [bytes8(rpps) || bytes16(prescriber name)]

MAILBOXES is how two nodes learn that both know mailboxes (a node older than this refuses the
kind and never answers): it takes no sequence number and does not go through the durable
outbox (like a readiness probe, §9.5); a node that receives one asking for an answer answers
with its own list, possibly empty.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

from .errors import ClinicalError, LocalProtocolError, MalformedInput
from .profile import PrescriberIdentity
from .wire import Reader, Writer, check_text, decode_text

VERSION: Final = 1
MAILBOX_ID_SIZE: Final = 8
MAX_MAILBOXES: Final = 32
MAX_MAILBOX_NAME_CHARS: Final = 64
ANSWER_REQUESTED: Final = 0x01


def check_mailbox_name(name: str, error: type[Exception] = LocalProtocolError) -> str:
    """The NFC form of a mailbox name: one display line of 1 to 64 characters."""
    if not isinstance(name, str):
        raise error("mailbox name must be text")
    name = unicodedata.normalize("NFC", name).strip()
    check_text(name, "mailbox name", MAX_MAILBOX_NAME_CHARS, error)
    if not name or "\n" in name or "\t" in name:
        raise error("mailbox name must be one non-empty line")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates: only a local caller (JSON) can give them
        raise error("mailbox name is not valid Unicode") from None
    if size > 0xFF:
        raise error("mailbox name is longer than 255 bytes in UTF-8")
    return name


@dataclass(frozen=True)
class PublicMailbox:
    """A mailbox a contact may write to; a clinician's names its prescriber (§19.1)."""

    mailbox_id: bytes
    name: str
    prescriber: PrescriberIdentity | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.mailbox_id, bytes) or len(self.mailbox_id) != MAILBOX_ID_SIZE:
            raise LocalProtocolError("a mailbox id is 8 bytes")
        object.__setattr__(self, "name", check_mailbox_name(self.name))

    def encode_into(self, writer: Writer) -> None:
        writer.raw(self.mailbox_id).bytes8(self.name.encode("utf-8"))
        if self.prescriber is None:
            writer.u8(0)
        else:
            writer.u8(1).bytes8(self.prescriber.rpps.encode("ascii"))
            writer.bytes16(self.prescriber.name.encode("utf-8"))

    @classmethod
    def decode_from(cls, reader: Reader) -> PublicMailbox:
        mailbox_id = reader.raw(MAILBOX_ID_SIZE)
        name = decode_text(reader.bytes8(), "mailbox name", MAX_MAILBOX_NAME_CHARS)
        name = check_mailbox_name(name, MalformedInput)
        flag = reader.u8()
        prescriber = None
        if flag == 1:
            rpps, prescriber_name = reader.bytes8(), reader.bytes16()
            try:
                prescriber = PrescriberIdentity(rpps.decode("ascii"), prescriber_name.decode())
            except (UnicodeDecodeError, ClinicalError):
                raise reader.fail("unreadable prescriber") from None
        elif flag != 0:
            raise reader.fail("bad prescriber flag")
        return cls(mailbox_id, name, prescriber)


@dataclass(frozen=True)
class Mailboxes:
    """A node's public mailboxes (none: a node that knows mailboxes but has none)."""

    mailboxes: tuple[PublicMailbox, ...] = ()
    answer_requested: bool = False

    def __post_init__(self) -> None:
        if len(self.mailboxes) > MAX_MAILBOXES:
            raise LocalProtocolError(f"at most {MAX_MAILBOXES} public mailboxes")
        ids = [mailbox.mailbox_id for mailbox in self.mailboxes]
        if len(set(ids)) != len(ids):
            raise LocalProtocolError("mailbox ids must be distinct")

    def get(self, mailbox_id: bytes) -> PublicMailbox | None:
        return next((m for m in self.mailboxes if m.mailbox_id == mailbox_id), None)

    def find(self, reference: str) -> PublicMailbox | None:
        """A mailbox by its id in hex or its name (case-insensitive)."""
        wanted = reference.strip().casefold()
        for mailbox in self.mailboxes:
            if wanted in (mailbox.mailbox_id.hex(), mailbox.name.casefold()):
                return mailbox
        return None

    def encode(self) -> bytes:
        writer = Writer().u8(VERSION).u8(ANSWER_REQUESTED if self.answer_requested else 0)
        writer.u8(len(self.mailboxes))
        for mailbox in self.mailboxes:
            mailbox.encode_into(writer)
        return writer.getvalue()

    @classmethod
    def decode(cls, body: bytes) -> Mailboxes:
        reader = Reader(body, "mailboxes")
        if reader.u8() != VERSION:
            raise reader.fail("unknown version")
        flags = reader.u8()
        if flags & ~ANSWER_REQUESTED:
            raise reader.fail("unknown flags")
        count = reader.u8()
        if count > MAX_MAILBOXES:
            raise reader.fail(f"at most {MAX_MAILBOXES} mailboxes")
        mailboxes = tuple(PublicMailbox.decode_from(reader) for _ in range(count))
        reader.done()
        if len({m.mailbox_id for m in mailboxes}) != count:
            raise reader.fail("mailbox ids must be distinct")
        return cls(mailboxes, bool(flags & ANSWER_REQUESTED))

    def without_request(self) -> Mailboxes:
        return Mailboxes(self.mailboxes, False)
