"""Why the system refused: OS and decoding errors in the user's words.

``OSError.strerror`` is the C library's sentence, in English whatever the user's language
("Permission denied"), so it is never shown: the error number is. An error number without a
sentence of its own is named by its symbol (ENOMEDIUM), which is the same in every language.
"""

from __future__ import annotations

import errno
from typing import Final, NamedTuple

from .i18n import Phrase, Translator, phrase

# The error numbers a clinician meets reading and writing files, or reaching the local node.
_WORDED: Final = frozenset(
    {
        "EACCES",
        "EPERM",
        "ENOENT",
        "EISDIR",
        "ENOTDIR",
        "EEXIST",
        "ENOSPC",
        "EDQUOT",
        "EROFS",
        "ENAMETOOLONG",
        "ELOOP",
        "EMFILE",
        "ENFILE",
        "EIO",
        "EBUSY",
        "ETXTBSY",
        "EXDEV",
        "EINVAL",
        "EFBIG",
        "ENOTEMPTY",
        "ENOMEM",
        "ECONNREFUSED",
        "ECONNRESET",
        "ECONNABORTED",
        "ETIMEDOUT",
        "EHOSTUNREACH",
        "ENETUNREACH",
        "EADDRNOTAVAIL",
        "EPIPE",
        "ENXIO",
        "ENODEV",
        "EOPNOTSUPP",
    }
)

# json.decoder's messages (JSONDecodeError.msg), each worded.
JSON_MESSAGES: Final = {
    "Expecting value": "json_value",
    "Extra data": "json_extra",
    "Expecting property name enclosed in double quotes": "json_name",
    "Expecting ':' delimiter": "json_colon",
    "Expecting ',' delimiter": "json_comma",
    "Unterminated string starting at": "json_string",
    "Invalid control character at": "json_control",
    "Invalid \\escape": "json_escape",
    "Invalid \\uXXXX escape": "json_escape",
    "Illegal trailing comma before end of object": "json_trailing_comma",
    "Illegal trailing comma before end of array": "json_trailing_comma",
}


class OsReason(NamedTuple):
    """An OSError's cause, worded when the error that carries it is shown."""

    number: int | None

    def localize(self, tr: Translator) -> str:
        name = errno.errorcode.get(self.number) if self.number is not None else None
        if name == "ENOTSUP":  # the same number as EOPNOTSUPP on Linux, another elsewhere
            name = "EOPNOTSUPP"
        if name in _WORDED:
            return tr(f"oserror.{name}")
        return tr("oserror.other", code=name or self.number or "?")


def os_reason(exc: OSError) -> OsReason:
    return OsReason(exc.errno)


def decode_reason(exc: UnicodeError) -> Phrase:
    """A file or token that is not UTF-8 (or ASCII) text."""
    del exc  # its message names a byte position, which helps no clinician
    return phrase("oserror.not_text")


def json_reason(message: str) -> Phrase:
    """json.decoder's message (``JSONDecodeError.msg``) in the user's words."""
    key = JSON_MESSAGES.get(message)
    return phrase(f"oserror.{key}") if key else phrase("oserror.json_other")
