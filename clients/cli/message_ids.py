"""A message named on the command line: its full id, or the start of it (at least 4 digits)."""

from __future__ import annotations

import re

from .api import ApiClient, JsonObject
from .errors import CliError
from .text import clean

_HEX = re.compile(r"[0-9a-f]+")
MESSAGE_ID_LENGTH = 32
MIN_PREFIX = 4


def resolve_message_id(client: ApiClient, given: str) -> str:
    """A full message id, or the one message (received or sent) whose id starts with ``given``."""
    wanted = given.strip().lower()
    if not _HEX.fullmatch(wanted):
        raise CliError("error.message_id_invalid", message_id=clean(given))
    if len(wanted) >= MESSAGE_ID_LENGTH:
        return wanted
    if len(wanted) < MIN_PREFIX:
        raise CliError("error.message_id_invalid", message_id=clean(given))
    recent: list[JsonObject] = client.messages().get("messages") or []
    matches = sorted(
        {
            str(m.get("message_id"))
            for m in recent
            if str(m.get("message_id", "")).startswith(wanted)
        }
    )
    if not matches:
        raise CliError("api.message_not_found")
    if len(matches) > 1:
        raise CliError("error.message_id_ambiguous", message_id=wanted, count=len(matches))
    return matches[0]
