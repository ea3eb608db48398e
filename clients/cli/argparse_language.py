"""argparse's own messages ("unrecognized arguments", "expected one argument"...) in the user's
language.

argparse words every message it shows through the gettext functions it imported, ``argparse._``
and ``argparse.ngettext``, with its English sentence as the message id, *before* filling in the
values: that is the one hook it offers for translation. :func:`speaking` replaces them for the
duration of one parse, and puts them back after, so nothing else in the process is affected.
Translating by message id is exact; matching the English output afterwards would not be (the
values, such as a contact's name, can contain anything).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator

from .catalog.parser_messages import ARGPARSE_FRENCH
from .i18n import Translator


def translate(tr: Translator, message_id: str) -> str:
    """argparse's message in ``tr``'s language; an unknown id (a newer Python) in English."""
    if not tr.french:
        return message_id
    return ARGPARSE_FRENCH.get(message_id, message_id)


@contextlib.contextmanager
def speaking(tr: Translator) -> Iterator[None]:
    """argparse speaks ``tr``'s language inside the ``with`` block."""
    # The module's namespace: its gettext names are not part of argparse's typed interface.
    names = vars(argparse)
    saved: tuple[Callable[[str], str], Callable[[str, str, int], str]] = (
        names["_"],
        names["ngettext"],
    )

    def gettext(message: str) -> str:
        return translate(tr, message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        return translate(tr, singular if count == 1 else plural)

    names["_"], names["ngettext"] = gettext, ngettext
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved
