"""Role codes of the local API and the French words clinicians type for them."""

from __future__ import annotations

import unicodedata
from typing import Final

ROLE_CODES: Final = ("other", "gp", "pharmacist", "practice", "nurse", "specialist", "laboratory")

# French first: a clinician types the word of their trade, with or without accents.
ROLE_ALIASES: Final[dict[str, str]] = {
    "autre": "other",
    "medecin": "gp",
    "médecin": "gp",
    "generaliste": "gp",
    "généraliste": "gp",
    "pharmacien": "pharmacist",
    "pharmacienne": "pharmacist",
    "pharmacie": "pharmacist",
    "cabinet": "practice",
    "infirmier": "nurse",
    "infirmière": "nurse",
    "infirmiere": "nurse",
    "specialiste": "specialist",
    "spécialiste": "specialist",
    "laboratoire": "laboratory",
}


def parse_role(value: str) -> str | None:
    """The role code for a code or an alias (any case), or None when it is neither."""
    word = unicodedata.normalize("NFC", value.strip()).casefold()
    if word in ROLE_CODES:
        return word
    return ROLE_ALIASES.get(word)
