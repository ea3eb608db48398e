"""Every sentence of the web client, French first, then English, one module per screen
(``{name}`` placeholders are ``str.format`` names, the same in both). Peer-controlled values are
only ever placeholders, escaped by the templates like any other value. :data:`TEXTS` is the
union of the areas, made once here: a key defined in two areas stops the import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .accounts import ACCOUNTS
from .common import COMMON
from .compose import COMPOSE
from .contacts import CONTACTS
from .status import STATUS

LANGUAGES: Final = ("fr", "en")
DEFAULT_LANGUAGE: Final = "fr"

Sentences = Mapping[str, tuple[str, str]]
AREAS: Final[tuple[Sentences, ...]] = (COMMON, COMPOSE, CONTACTS, STATUS, ACCOUNTS)


def _union(areas: tuple[Sentences, ...]) -> dict[str, tuple[str, str]]:
    texts: dict[str, tuple[str, str]] = {}
    for area in areas:
        for key, sentences in area.items():
            if key in texts:
                raise RuntimeError(f"web text {key!r} defined twice")
            texts[key] = sentences
    return texts


TEXTS: Final = _union(AREAS)


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def text(lang: str, key: str, **values: object) -> str:
    """``key``'s sentence; a code the node added since (a new status) reads as itself."""
    if key not in TEXTS:
        return key.rsplit(".", 1)[-1].replace("_", " ")
    french, english = TEXTS[key]
    template = english if lang == "en" else french
    return template.format(**values) if values else template
