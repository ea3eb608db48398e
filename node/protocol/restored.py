"""The RESTORED notice (kind 0x10, docs/protocol.md §20.5): the first payload a restored node
sends in a renewed session, saying when its backup was made, so that the contact sends again
what it sent since then.

    body = backup_ms u64      (unix milliseconds, the restored node's clock at backup time)
"""

from __future__ import annotations

from .wire import Reader, Writer


def encode_restored(backup_ms: int) -> bytes:
    return Writer().u64(backup_ms).getvalue()


def decode_restored(body: bytes) -> int:
    reader = Reader(body, "restored notice")
    backup_ms = reader.u64()
    reader.done()
    return backup_ms
