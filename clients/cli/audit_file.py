"""The offline check of an exported audit log (``releve audit verify --file EXPORT``).

Written from docs/audit.md alone, not from the node's code: the CLI talks to the node only over
its API and imports none of its internals, an exported file must be checkable where no node
runs (by the practice's auditor, on another machine), and a second implementation that agrees
with the node's (tests/unit/cli/test_audit_file.py) is the proof that the document suffices for
a third party. Standard library only; one pass over the lines, memory bounded by one line.

It checks the chain (every entry's hash, every link, positions 1, 2, 3... in order), not the
seal, whose key stays in the node: a file whose last entries were cut off still verifies unless
the head noted from an earlier check is given (``--head POSITION:HASH``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

ENTRY_DOMAIN: Final = b"releve/audit/entry/v1\x00"
HASH_SIZE: Final = 32
ID_SIZE: Final = 16
KEYS: Final = frozenset(
    {"position", "at", "event", "actor", "contact", "message", "prev_hash", "hash"}
)
SUBJECT: Final = "subject"  # present only when the entry is about an account
MAX_LINE: Final = 4096  # an entry is about 300 characters
_WORD: Final = re.compile(r"[a-z_]{1,32}")
_ACTOR: Final = re.compile(r"[a-z_]{1,32}|account:[0-9a-f]{32}")
_ACCOUNT_ID: Final = re.compile(r"[0-9a-f]{32}")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


@dataclass(frozen=True)
class FileCheck:
    ok: bool
    entries: int
    position: int | None = None  # the first entry that fails
    reason: str | None = None  # changed, missing, reordered, truncated
    head: tuple[int, str] | None = None  # the last entry checked: position, hash (hex)


class _Bad(ValueError):
    """A line that is not an entry as docs/audit.md writes it."""


def entry_hash(prev_hash: bytes, position: int, entry: dict[str, Any]) -> bytes:
    """BLAKE2b-256 of the entry's encoding (docs/audit.md, "Entry hash")."""
    data = (
        ENTRY_DOMAIN
        + prev_hash
        + struct.pack(">Q", position)
        + struct.pack(">q", _microseconds(entry["at"]))
        + _text(entry["event"])
        + _text(entry["actor"], _ACTOR)
        + _id(entry["contact"])
        + _id(entry["message"])
        + (_text(entry[SUBJECT], _ACCOUNT_ID) if SUBJECT in entry else b"")
    )
    return hashlib.blake2b(data, digest_size=HASH_SIZE).digest()


def _microseconds(value: object) -> int:
    if not isinstance(value, str) or not value.endswith("Z"):
        raise _Bad("at")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad("at") from None
    return (moment - _EPOCH) // _MICROSECOND


def _text(value: object, pattern: re.Pattern[str] = _WORD) -> bytes:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _Bad("word")
    data = value.encode("ascii")
    return struct.pack(">I", len(data)) + data


def _hex(value: object, size: int) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * size:
        raise _Bad("hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise _Bad("hex") from None


def _id(value: object) -> bytes:
    return b"\x00" if value is None else b"\x01" + _hex(value, ID_SIZE)


def _entry(line: str) -> tuple[int, bytes, bytes]:
    """(position, prev_hash, hash) of a line whose own hash is right; _Bad otherwise."""
    if len(line) > MAX_LINE:
        raise _Bad("line")
    try:
        entry = json.loads(line)
    except ValueError:
        raise _Bad("json") from None
    if not isinstance(entry, dict) or set(entry) - {SUBJECT} != KEYS:
        raise _Bad("keys")
    position = entry["position"]
    if type(position) is not int or not 1 <= position < 2**64:
        raise _Bad("position")
    prev_hash, own = _hex(entry["prev_hash"], HASH_SIZE), _hex(entry["hash"], HASH_SIZE)
    if not hmac.compare_digest(entry_hash(prev_hash, position, entry), own):
        raise _Bad("hash")
    return position, prev_hash, own


def _position_of(line: str) -> int | None:
    try:
        position = json.loads(line).get("position")
    except (ValueError, AttributeError):
        return None
    return position if type(position) is int else None


def check_lines(lines: Iterable[str], head: tuple[int, bytes] | None = None) -> FileCheck:
    """Checks an exported audit log, line by line (blank lines are ignored).

    The first problem names the entry where the chain breaks: ``changed`` (an entry that is
    not as hashed, or the one before it was replaced), ``missing`` (a position skipped),
    ``reordered`` (a position that came earlier), ``truncated`` (the file ends before the
    ``head`` noted earlier). The node's own check (``releve audit verify`` without
    ``--file``) classifies some of these more finely; both stop at the first problem.
    """
    count, last, prev = 0, 0, bytes(HASH_SIZE)
    noted: bytes | None = None
    for line in lines:
        if not line.strip():
            continue
        count += 1
        expected = last + 1
        try:
            position, prev_hash, own = _entry(line)
        except _Bad:
            found = _position_of(line)
            if found is not None and found < expected:
                return FileCheck(False, count, expected, "reordered")
            return FileCheck(False, count, expected, "changed")
        if position > expected:
            return FileCheck(False, count, expected, "missing")
        if position < expected:
            return FileCheck(False, count, expected, "reordered")
        if not hmac.compare_digest(prev_hash, prev):
            # Intact itself, but chained to another entry than the one before it.
            return FileCheck(False, count, max(position - 1, 1), "changed")
        last, prev = position, own
        if head is not None and position == head[0]:
            noted = own
    if head is not None:
        if head[0] > last:
            return FileCheck(False, count, last + 1, "truncated", (last, prev.hex()))
        if head[0] >= 1 and (noted is None or not hmac.compare_digest(noted, head[1])):
            return FileCheck(False, count, head[0], "changed", (last, prev.hex()))
    return FileCheck(True, count, head=(last, prev.hex()))


def parse_head(text: str) -> tuple[int, bytes] | None:
    """``POSITION:HASH`` (the hash in 64 hex digits), or None when it is not that."""
    position, _, digest = text.strip().partition(":")
    if not position.isdigit() or len(digest) != 2 * HASH_SIZE:
        return None
    try:
        return int(position), bytes.fromhex(digest)
    except ValueError:
        return None
