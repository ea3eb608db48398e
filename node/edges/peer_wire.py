"""The direct transport's HTTP framing (docs/protocol.md §17).

``POST /v1/packet`` carries one packet as the body. ``POST /v1/packets`` carries up to
:data:`MAX_BATCH` packets, each prefixed by its length as a u32; the answer is a JSON object
``{"results": [...]}`` with one entry per packet, in order: ``"stored"``, ``"duplicate"``, or
``{"status": HTTP status, "error": reason}``. Either answer is sent only after every stored
packet is committed. Status 410 means the recipient can never decrypt that packet (its message
key expired or was evicted): the sender marks the message failed instead of retrying.
"""

from __future__ import annotations

from typing import Final

from node.protocol import MalformedInput
from node.protocol.envelope import MAX_PACKET_SIZE
from node.protocol.wire import Reader, Writer

PACKET_PATH: Final = "/v1/packet"
# A packet the recipient can never decrypt (its message key is gone): do not retry it.
GONE_STATUS: Final = 410
BATCH_PATH: Final = "/v1/packets"
MAX_BATCH: Final = 64
MAX_BATCH_BYTES: Final = 1024 * 1024


def encode_batch(packets: list[bytes]) -> bytes:
    writer = Writer()
    for packet in packets:
        writer.u32(len(packet)).raw(packet)
    return writer.getvalue()


def split_batches(packets: list[bytes]) -> list[list[bytes]]:
    """Groups packets, in order, into batches a peer accepts (count and bytes): 64 packets
    of the largest bucket (attachment chunks) would exceed :data:`MAX_BATCH_BYTES`."""
    batches: list[list[bytes]] = [[]]
    size = 0
    for packet in packets:
        framed = 4 + len(packet)
        if batches[-1] and (len(batches[-1]) == MAX_BATCH or size + framed > MAX_BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(packet)
        size += framed
    return batches if batches[0] else []


def decode_batch(data: bytes) -> list[bytes]:
    """Splits a batch; raises :class:`MalformedInput` on any framing error."""
    reader = Reader(data, "packet batch")
    packets: list[bytes] = []
    while reader.remaining():
        if len(packets) == MAX_BATCH:
            raise MalformedInput(f"packet batch: more than {MAX_BATCH} packets")
        size = reader.u32()
        if size > MAX_PACKET_SIZE:
            raise MalformedInput("packet batch: a packet is too large")
        packets.append(reader.raw(size))
    if not packets:
        raise MalformedInput("packet batch: empty")
    return packets
