"""The sentences of the compose forms (handoff, prescription, file) and their review,
French first, then English."""

from __future__ import annotations

from typing import Final

COMPOSE: Final[dict[str, tuple[str, str]]] = {}
