"""The sentences of the status and readiness screens, French first, then English."""

from __future__ import annotations

from typing import Final

STATUS: Final[dict[str, tuple[str, str]]] = {}
