"""Every sentence the command-line client shows, French first then English, one module per area.

Each area is a plain dict ``key -> {"fr": ..., "en": ...}``; placeholders are ``str.format``
names, the same in both languages. :data:`CATALOG` is their union, made once here: a key
defined in two areas is a programming error and stops the import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .backup import BACKUP
from .check import CHECK
from .clinical import CLINICAL
from .command_line import COMMAND_LINE
from .demo import DEMO
from .errors import ERRORS
from .mailboxes import MAILBOXES
from .messages import MESSAGES
from .node import NODE
from .pairing import PAIRING
from .records import RECORDS
from .service import SERVICE
from .tls import TLS
from .users import USERS
from .web import WEB
from .words import WORDS

Entry = Mapping[str, str]

AREAS: Final = (
    COMMAND_LINE,
    WORDS,
    ERRORS,
    NODE,
    PAIRING,
    MESSAGES,
    CLINICAL,
    RECORDS,
    DEMO,
    WEB,
    SERVICE,
    CHECK,
    BACKUP,
    TLS,
    MAILBOXES,
    USERS,
)


def merge(areas: tuple[Mapping[str, Entry], ...]) -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for area in areas:
        clash = sorted(set(area) & set(merged))
        if clash:
            raise RuntimeError(f"catalog keys defined twice: {clash}")
        merged.update(area)
    return merged


CATALOG: Final = merge(AREAS)
