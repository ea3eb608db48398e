"""The readiness check's payloads (docs/protocol.md §9.5): a content-free probe, answered at
once by the contact's node with the probe's id and the path the probe arrived by.

Neither is a message: no sequence number is consumed (like a receipt, they are never sent
again and must not open a gap in the order, §11.2), nothing is stored but the ratchet's state,
nothing is shown. Both are padded like every payload (§10), so a relay cannot tell them from a
message.

    PROBE         version (u8 = 1)
    PROBE_ANSWER  version (u8 = 1), probe id (16 bytes), path (u8: 0 direct, 1 relay),
                  relay URL (u8 length, UTF-8, empty when direct, at most 200 bytes)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import LocalProtocolError
from .kinds import MESSAGE_ID_SIZE
from .wire import Reader, Writer, decode_text

VERSION: Final = 1
MAX_RELAY_URL_BYTES: Final = 200


class Arrival(IntEnum):
    """How a probe reached the node that answers it."""

    DIRECT = 0
    RELAY = 1


@dataclass(frozen=True)
class Probe:
    def encode(self) -> bytes:
        return Writer().u8(VERSION).getvalue()

    @classmethod
    def decode(cls, body: bytes) -> Probe:
        reader = Reader(body, "probe")
        if reader.u8() != VERSION:
            raise reader.fail("unknown version")
        reader.done()
        return cls()


@dataclass(frozen=True)
class ProbeAnswer:
    probe_id: bytes
    arrival: Arrival
    relay: str = ""  # the relay the probe came through (one of the answerer's own)

    def __post_init__(self) -> None:
        if len(self.probe_id) != MESSAGE_ID_SIZE:
            raise LocalProtocolError("probe id must be 16 bytes")
        if (self.arrival is Arrival.DIRECT) != (not self.relay):
            raise LocalProtocolError("a relay URL names a relay arrival, and only that")
        if len(self.relay.encode()) > MAX_RELAY_URL_BYTES:
            raise LocalProtocolError("relay URL too long")

    def encode(self) -> bytes:
        return (
            Writer()
            .u8(VERSION)
            .raw(self.probe_id)
            .u8(self.arrival)
            .bytes8(self.relay.encode())
            .getvalue()
        )

    @classmethod
    def decode(cls, body: bytes) -> ProbeAnswer:
        reader = Reader(body, "probe answer")
        if reader.u8() != VERSION:
            raise reader.fail("unknown version")
        probe_id = reader.raw(MESSAGE_ID_SIZE)
        try:
            arrival = Arrival(reader.u8())
        except ValueError:
            raise reader.fail("unknown path") from None
        raw_url = reader.bytes8()
        reader.done()
        if len(raw_url) > MAX_RELAY_URL_BYTES:
            raise reader.fail("relay URL too long")
        relay = decode_text(raw_url, "probe answer relay", MAX_RELAY_URL_BYTES)
        if (arrival is Arrival.DIRECT) != (not relay):
            raise reader.fail("a relay URL names a relay arrival, and only that")
        return cls(probe_id, arrival, relay)
