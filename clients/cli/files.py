"""Files on this machine: safe names for what a peer sends, private writes that overwrite nothing.

A file name in an attachment is written by the other party: it may hold ``../``, a drive or a
device name, control characters or a leading dot that hides the file. :func:`safe_file_name`
keeps a readable base name and nothing else; :func:`create_private` never replaces a file that
is already there, and what it writes appears whole or not at all (a temporary file, then a link).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final, NamedTuple

from .errors import CliError
from .i18n import Translator, phrase
from .os_errors import OsReason, decode_reason, json_reason, os_reason

MAX_FILE_SIZE: Final = 64 * 1024 * 1024
MAX_JSON_SIZE: Final = 1024 * 1024
# Well under the 255 bytes of common file systems, with room for " (99)" and a suffix.
MAX_NAME_BYTES: Final = 150
MAX_COLLISIONS: Final = 999
FALLBACK_STEM: Final = "piece-jointe"

# The extension a saved file gets from the type the node detected from its bytes: a file named
# "bilan.exe" that is a PDF is saved as "bilan.exe.pdf", and opens as what it is.
MEDIA_SUFFIXES: Final = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/tiff": (".tif", ".tiff"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "image/heic": (".heic",),
}
_WINDOWS_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
# Separators and characters Windows refuses in names; the control characters are removed apart.
_FORBIDDEN: Final = re.compile(r'[<>:"/\\|?*]')
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp"})


def safe_file_name(name: str, media_type: str | None = None) -> str:
    """A base name safe to create in any folder, on Linux, macOS and Windows.

    Only the last path component is kept (either slash); control, format and bidirectional
    characters are dropped; characters Windows forbids become "_"; leading dots and spaces go
    (no hidden file, no "..") and so do trailing dots and spaces (Windows drops them); a
    Windows device name (CON, NUL, COM1...) gets a "_" in front; the length is capped in bytes.
    """
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE_CATEGORIES)
    text = _FORBIDDEN.sub("_", text)
    text = text.lstrip(". ").rstrip(". ")
    stem = text.partition(".")[0]
    if stem.strip().upper() in _WINDOWS_RESERVED:
        text = "_" + text
    suffixes = MEDIA_SUFFIXES.get(media_type or "", ())
    if suffixes and not text.lower().endswith(suffixes):
        text = (text or FALLBACK_STEM) + suffixes[0]
    if not text.strip("._ "):
        text = FALLBACK_STEM + (suffixes[0] if suffixes else "")
    return _cap(text, MAX_NAME_BYTES)


def _cap(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` UTF-8 bytes, keeping its suffix and whole characters."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, suffix = os.path.splitext(name)
    if len(suffix.encode("utf-8")) > limit // 3:
        stem, suffix = name, ""
    room = limit - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(". ")
    return cut + suffix


def numbered(name: str, number: int) -> str:
    """ "bilan.pdf", 2 -> "bilan (2).pdf": the name of the next copy."""
    stem, suffix = os.path.splitext(name)
    return f"{stem} ({number}){suffix}"


_O_BINARY: Final[int] = getattr(os, "O_BINARY", 0)


@contextlib.contextmanager
def private_temporary(folder: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """A new temporary file in ``folder``, readable by its owner only; removed unless kept.

    The caller writes into it, then :func:`publish` gives it its final name.
    """
    for attempt in range(100):
        temporary = folder / f".releve-{os.getpid()}-{attempt}.part"
        try:
            # O_BINARY: Windows' os.open is in text mode otherwise (LF written as CR LF).
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
        except FileExistsError:
            continue
        break
    else:
        raise CliError("error.write_failed", path=folder, reason=phrase("oserror.no_temporary"))
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream, temporary
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def publish(temporary: Path, folder: Path, name: str, *, numbering: bool = True) -> Path:
    """Gives ``temporary`` the name ``name`` in ``folder``, or "name (2)"... if it is taken.

    A hard link fails when the name exists, so no file is ever replaced, even one created an
    instant before; where links are not possible (some network or FAT folders) the name is
    reserved with O_EXCL first, then the finished file takes its place.
    """
    for number in range(1, MAX_COLLISIONS + 1):
        target = folder / (name if number == 1 else numbered(name, number))
        try:
            os.link(temporary, target)
        except FileExistsError:
            if not numbering:
                raise CliError("error.out_exists", path=target) from None
            continue
        except OSError as exc:
            if not links_unsupported(exc):
                raise
            try:
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                if not numbering:
                    raise CliError("error.out_exists", path=target) from None
                continue
            _replace(temporary, target)
            return target
        return target
    raise CliError("error.out_exists", path=folder / name)


def write_new_private(path: Path, data: bytes, *, numbering: bool = False) -> Path:
    """Writes ``data`` to a new file at ``path`` (0600, complete or absent, never replacing).

    With ``numbering``, a taken name becomes "name (2)"; without, it is an error.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError("error.dir_missing", path=folder)
    try:
        with private_temporary(folder) as (stream, temporary):
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
            return publish(temporary, folder, path.name, numbering=numbering)
    except OSError as exc:
        raise CliError("error.write_failed", path=path, reason=os_reason(exc)) from None


def check_input_file(path: Path, limit: int = MAX_FILE_SIZE) -> int:
    """The size of a file the user names, after the checks that are the CLI's own."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CliError("error.file_missing", path=path) from None
    except OSError as exc:
        raise CliError("error.file_unreadable", path=path, reason=os_reason(exc)) from None
    if not path.is_file():
        raise CliError("error.file_not_regular", path=path)
    if info.st_size == 0:
        raise CliError("error.file_empty", path=path)
    if info.st_size > limit:
        raise CliError(
            "error.file_too_large",
            path=path,
            size=Size(info.st_size),
            limit=Size(limit),
        )
    if not os.access(path, os.R_OK):
        raise CliError("error.file_unreadable", path=path, reason=OsReason(errno.EACCES))
    return info.st_size


def human_size(tr: Translator, size: int) -> str:
    def number(value: float) -> str:
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if tr.french else text

    if size < 1024:
        return tr("size.bytes", value=size)
    if size < 1024 * 1024:
        return tr("size.kib", value=number(size / 1024))
    return tr("size.mib", value=number(size / (1024 * 1024)))


# Where a folder takes no hard link: EPERM (Linux on FAT), ENOTSUP, EXDEV, EMLINK; on Windows
# a FAT or exFAT USB key answers ERROR_INVALID_FUNCTION (errno EINVAL) or ERROR_NOT_SUPPORTED.
_NO_LINK_ERRNOS: Final = frozenset(
    {errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.EINVAL}
)
_NO_LINK_WINERRORS: Final = frozenset({1, 50})


def links_unsupported(exc: OSError) -> bool:
    return exc.errno in _NO_LINK_ERRNOS or getattr(exc, "winerror", None) in _NO_LINK_WINERRORS


def _replace(temporary: Path, target: Path) -> None:
    """``os.replace``, retried for a moment on Windows while an antivirus holds the file."""
    from node import system  # light: node.paths imports it at every start anyway

    system.replace(temporary, target)


class Size(NamedTuple):
    """A number of bytes, worded when the error that carries it is shown."""

    value: int

    def localize(self, tr: Translator) -> str:
        return human_size(tr, self.value)


def replace_private(path: Path, data: bytes) -> None:
    """Writes ``data`` at ``path`` (0600), replacing a previous version atomically."""
    with private_temporary(path.parent) as (stream, temporary):
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
        _replace(temporary, path)


def read_json_object(path: Path) -> dict[str, object]:
    """A JSON object from a file the user names: readable, small, JSON, an object."""
    check_input_file(path, MAX_JSON_SIZE)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError("error.file_unreadable", path=path, reason=decode_reason(exc)) from None
    except OSError as exc:
        raise CliError("error.file_unreadable", path=path, reason=os_reason(exc)) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            "error.json_invalid",
            path=path,
            line=exc.lineno,
            column=exc.colno,
            reason=json_reason(exc.msg),
        ) from None
    if not isinstance(value, dict):
        raise CliError("error.json_not_object", path=path)
    return value
