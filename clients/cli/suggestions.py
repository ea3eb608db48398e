""" "Did you mean...?": the nearest command or contact name to what was typed.

A contact is suggested from the node's own list (GET /v1/contacts), only after the node said no
contact matches: the node alone decides what a name designates (docs/local-api.md).
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable, Iterator

from .api import ApiClient
from .errors import ApiFailure, CliError
from .text import clean

# difflib's ratio below which two words are not worth suggesting (its own default).
CUTOFF = 0.6


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def closest(typed: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to ``typed``, if one is near enough.

    The start of each choice counts as much as the whole: the node matches a contact by the
    beginning of its name, so "Pharmcie" is near "Pharmacie du Port".
    """
    import difflib  # only when something was mistyped: not at every start

    wanted = _folded(typed)
    if not wanted:
        return None
    best, best_ratio = None, CUTOFF
    for choice in choices:
        folded = _folded(choice)
        ratio = max(
            difflib.SequenceMatcher(None, wanted, form).ratio()
            for form in (folded, folded[: len(wanted)])
        )
        if ratio > best_ratio or (best is None and ratio == best_ratio):
            best, best_ratio = choice, ratio
    return best


def _contact_names(client: ApiClient) -> list[str]:
    try:
        contacts = client.contacts().get("contacts")
    except CliError:
        return []  # no suggestion, and the node's own answer is shown as it was
    if not isinstance(contacts, list):
        return []
    return [c["name"] for c in contacts if isinstance(c, dict) and isinstance(c.get("name"), str)]


@contextlib.contextmanager
def suggesting_contacts(client: ApiClient, typed: str) -> Iterator[None]:
    """Inside the block, the node's ``contact_not_found`` names the nearest contact, if any."""
    try:
        yield
    except ApiFailure as exc:
        if exc.code != "contact_not_found":
            raise
        suggestion = closest(typed, _contact_names(client))
        if suggestion is None:
            raise
        raise CliError(
            "error.contact_not_found_near", given=clean(typed), suggestion=clean(suggestion)
        ) from None
