"""The user's language, chosen once per invocation, and the :class:`Translator` bound to it.

The language is ``--lang``, then ``$RELEVE_LANG``, then the locale (``$LC_ALL``,
``$LC_MESSAGES``, ``$LANG``: "en..." is English, "fr..." French), otherwise French.
:func:`clients.cli.main.main` makes one Translator and hands it to the parser, the command and
everything that prints: there is no "current language" to set or forget to reset.

Errors are raised far from where they are printed, often without a translator at hand: their
values may be :class:`Localized` (a catalog key, an OS error...), which the translator renders
in its own language when the sentence is finally shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple, Protocol, runtime_checkable

from .catalog import CATALOG

LANGUAGES: Final = ("fr", "en")
DEFAULT_LANGUAGE: Final = "fr"
ENV_LANG: Final = "RELEVE_LANG"
_LOCALE_VARIABLES: Final = ("LC_ALL", "LC_MESSAGES", "LANG")


def choose_language(cli: str | None, environ: Mapping[str, str]) -> str:
    if cli in LANGUAGES:
        return cli
    chosen = environ.get(ENV_LANG, "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    # POSIX order: the first locale variable that is set decides.
    for name in _LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            lowered = value.lower()
            if lowered.startswith("en"):
                return "en"
            if lowered.startswith("fr"):
                return "fr"
            break
    return DEFAULT_LANGUAGE


def has_key(key: str) -> bool:
    return key in CATALOG


@runtime_checkable
class Localized(Protocol):
    """A value of a sentence that is itself words, rendered in the translator's language."""

    def localize(self, tr: Translator) -> str: ...


class Translator:
    """The catalog in one language: ``tr("key", name=...)`` is the sentence, filled."""

    __slots__ = ("language",)

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language: {language!r}")
        self.language: Final = language

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"

    @property
    def french(self) -> bool:
        return self.language == "fr"

    def __call__(self, key: str, **values: object) -> str:
        filled = {
            name: value.localize(self) if isinstance(value, Localized) else value
            for name, value in values.items()
        }
        return CATALOG[key][self.language].format(**filled)

    def get(self, key: str, fallback: str, **values: object) -> str:
        """The sentence ``key`` if the catalog has it (a code from the node), else ``fallback``."""
        return self(key, **values) if has_key(key) else fallback


class Phrase(NamedTuple):
    """A sentence of the catalog kept as its key and values until it is shown."""

    key: str
    values: Mapping[str, object]

    def localize(self, tr: Translator) -> str:
        return tr(self.key, **self.values)


def phrase(key: str, **values: object) -> Phrase:
    return Phrase(key, values)
