"""The sentences of contacts and pairing, French first, then English."""

from __future__ import annotations

from typing import Final

CONTACTS: Final[dict[str, tuple[str, str]]] = {}
