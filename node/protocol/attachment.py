"""Files sent in a conversation: a manifest, then the file in chunks (docs/protocol.md §18.6).

An ATTACHMENT payload carries the :class:`AttachmentManifest` (file name, media type
detected from the content, size, SHA-256, caption, chunk count and chunk size); each piece of
the file then travels as an ordinary CHUNK payload (its own message id and sequence number,
so the outbox, receipts, dedupe and ordering carry it like any message), naming the
manifest's message id and its index. The receiver has the file once every chunk is in and
the SHA-256 of their concatenation matches the manifest. Wire (the manifest after the meta,
conversation.py)::

    manifest = file_name bytes8 || media type u8 || size u32 || sha256 (32)
               || caption bytes16 (empty when absent) || chunk_count u32 || chunk_size u32
    chunk    = attachment id (16: the manifest's message id) || index u32 || data (the rest)

Every chunk but the last holds exactly ``chunk_size`` bytes.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from .characters import has_control, has_format_character
from .envelope import MAX_RATCHET_PLAINTEXT
from .errors import ClinicalError, LocalProtocolError, MalformedInput
from .kinds import MESSAGE_ID_SIZE
from .validation import (
    JsonFields,
    check_optional_paragraphs,
    decode_optional_utf8,
    decode_utf8,
    optional_utf8,
    remote,
)
from .wire import Reader, Writer

MAX_ATTACHMENT_BYTES: Final = 64 * 1024 * 1024
# 60 KiB: with the chunk's 20 bytes of framing and the payload's header, a CHUNK payload
# stays about 3.9 KB below the largest ratchet plaintext one packet carries (envelope.py).
CHUNK_DATA_SIZE: Final = 60 * 1024
# A peer may choose smaller chunks, not so small that a file needs more than 4096 of them.
MIN_CHUNK_SIZE: Final = 16 * 1024
MAX_CHUNK_COUNT: Final = -(-MAX_ATTACHMENT_BYTES // MIN_CHUNK_SIZE)
CHUNK_HEADER_SIZE: Final = MESSAGE_ID_SIZE + 4
SHA256_SIZE: Final = 32
MAX_FILE_NAME_CHARS: Final = 200
MAX_FILE_NAME_BYTES: Final = 0xFF
MAX_CAPTION_CHARS: Final = 1_000
_PAYLOAD_HEADER_SIZE: Final = 1 + 1 + MESSAGE_ID_SIZE + 8 + 8  # payload.HEADER_SIZE
assert CHUNK_DATA_SIZE + CHUNK_HEADER_SIZE + _PAYLOAD_HEADER_SIZE + 1024 <= MAX_RATCHET_PLAINTEXT

# What a file name may not contain: path separators, and what Windows refuses in a name.
_FORBIDDEN_IN_NAME: Final = frozenset('/\\:*?"<>|')
_WINDOWS_DEVICES: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
)


class MediaType(IntEnum):
    """The kinds of file a clinician may send; the code travels, the name is shown."""

    PDF = 1
    JPEG = 2
    PNG = 3
    TIFF = 4
    GIF = 5
    WEBP = 6
    HEIC = 7

    @property
    def mime(self) -> str:
        return _MIME[self]

    @classmethod
    def from_mime(cls, mime: str) -> MediaType | None:
        return next((kind for kind, name in _MIME.items() if name == mime), None)


_MIME: Final = {
    MediaType.PDF: "application/pdf",
    MediaType.JPEG: "image/jpeg",
    MediaType.PNG: "image/png",
    MediaType.TIFF: "image/tiff",
    MediaType.GIF: "image/gif",
    MediaType.WEBP: "image/webp",
    MediaType.HEIC: "image/heic",
}
MEDIA_TYPES: Final = frozenset(_MIME.values())

# ISO base media file brands of HEIF images coded with HEVC (not AVIF, which shares mif1).
_HEIC_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
)
_HEIF_GENERIC_BRANDS: Final = frozenset({b"mif1", b"msf1"})


def detect_media_type(data: bytes) -> str | None:
    """The media type from the file's first bytes (magic numbers), or ``None`` if not one
    of :data:`MEDIA_TYPES`. The file name's extension is never trusted."""
    kind = _detect(data)
    return None if kind is None else kind.mime


def _detect(data: bytes) -> MediaType | None:
    if data.startswith(b"%PDF-"):
        return MediaType.PDF
    if data.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return MediaType.TIFF
    if data.startswith((b"GIF87a", b"GIF89a")):
        return MediaType.GIF
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return MediaType.WEBP
    if data[4:8] == b"ftyp" and _is_heic(data):
        return MediaType.HEIC
    return None


def _is_heic(data: bytes) -> bool:
    """An ISO BMFF ``ftyp`` box naming a HEVC-coded HEIF brand, as the major brand or, after
    a generic HEIF major brand, among the compatible brands."""
    box_size = int.from_bytes(data[:4], "big")
    major = data[8:12]
    if major in _HEIC_BRANDS:
        return True
    if major not in _HEIF_GENERIC_BRANDS or not 16 <= box_size <= min(len(data), 4096):
        return False
    compatible = data[16:box_size]
    return any(compatible[i : i + 4] in _HEIC_BRANDS for i in range(0, len(compatible) - 3, 4))


def check_file_name(value: object, field: str = "file_name") -> str:
    """A file name safe to save on any system: NFC, stripped, no path, no control or
    invisible characters, nothing Windows refuses, not hidden, at most 255 UTF-8 bytes."""
    if not isinstance(value, str):
        raise ClinicalError(field, "required" if value is None else "invalid_type")
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise ClinicalError(field, "required")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise ClinicalError(field, "invalid_name") from None
    if len(name) > MAX_FILE_NAME_CHARS or size > MAX_FILE_NAME_BYTES:
        raise ClinicalError(field, "too_long")
    if (
        has_control(name)
        or has_format_character(name)
        or not _FORBIDDEN_IN_NAME.isdisjoint(name)
        or name.startswith(".")
        or name.endswith((".", " "))
        or name.split(".")[0].strip().upper() in _WINDOWS_DEVICES
    ):
        raise ClinicalError(field, "invalid_name")
    return name


@dataclass(frozen=True)
class Chunk:
    """One piece of an attachment's file, in a CHUNK payload."""

    attachment_id: bytes  # the message id of the ATTACHMENT payload
    index: int
    data: bytes

    def __post_init__(self) -> None:
        if len(self.attachment_id) != MESSAGE_ID_SIZE:
            raise LocalProtocolError("attachment id must be 16 bytes")
        if not 0 <= self.index < MAX_CHUNK_COUNT:
            raise LocalProtocolError("chunk index out of range")
        if not 1 <= len(self.data) <= CHUNK_DATA_SIZE:
            raise LocalProtocolError(f"a chunk holds 1 to {CHUNK_DATA_SIZE} bytes")

    def encode(self) -> bytes:
        return Writer().raw(self.attachment_id).u32(self.index).raw(self.data).getvalue()

    @classmethod
    def decode(cls, body: bytes) -> Chunk:
        reader = Reader(body, "chunk")
        attachment_id = reader.raw(MESSAGE_ID_SIZE)
        index = reader.u32()
        if index >= MAX_CHUNK_COUNT:
            raise reader.fail("chunk index out of range")
        data = reader.rest()
        if not 1 <= len(data) <= CHUNK_DATA_SIZE:
            raise reader.fail(f"a chunk holds 1 to {CHUNK_DATA_SIZE} bytes")
        return cls(attachment_id, index, data)


@dataclass(frozen=True)
class AttachmentManifest:
    """What an ATTACHMENT payload says about the file that follows in chunks."""

    file_name: str
    media_type: str
    size: int
    sha256: bytes
    caption: str | None
    chunk_count: int
    chunk_size: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "file_name", check_file_name(self.file_name))
        if MediaType.from_mime(self.media_type) is None:
            raise ClinicalError("media_type", "invalid_media_type")
        if isinstance(self.size, bool) or not 1 <= self.size <= MAX_ATTACHMENT_BYTES:
            raise ClinicalError("size", "too_large")
        if len(self.sha256) != SHA256_SIZE:
            raise ClinicalError("sha256", "invalid_type")
        caption = check_optional_paragraphs(self.caption, "caption", MAX_CAPTION_CHARS)
        object.__setattr__(self, "caption", caption)
        if not MIN_CHUNK_SIZE <= self.chunk_size <= CHUNK_DATA_SIZE:
            raise ClinicalError("chunk_size", "invalid_number")
        if self.chunk_count != -(-self.size // self.chunk_size):
            raise ClinicalError("chunk_count", "invalid_number")

    @classmethod
    def for_file(cls, file_name: str, data: bytes, caption: str | None) -> AttachmentManifest:
        """The manifest of a file about to be sent: its type detected from its content."""
        name = check_file_name(file_name)
        if not data:
            raise ClinicalError("file", "required")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ClinicalError("file", "too_large")
        media_type = detect_media_type(data)
        if media_type is None:
            raise ClinicalError("file", "invalid_media_type")
        return cls(
            file_name=name,
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).digest(),
            caption=caption,
            chunk_count=-(-len(data) // CHUNK_DATA_SIZE),
            chunk_size=CHUNK_DATA_SIZE,
        )

    def chunk_length(self, index: int) -> int:
        """How many bytes chunk ``index`` holds (every chunk is full but the last)."""
        if not 0 <= index < self.chunk_count:
            raise LocalProtocolError("chunk index out of range")
        if index < self.chunk_count - 1:
            return self.chunk_size
        return self.size - self.chunk_size * (self.chunk_count - 1)

    def chunks(self, data: bytes, attachment_id: bytes) -> list[Chunk]:
        """The file in chunks; ``attachment_id`` is the ATTACHMENT payload's message id."""
        if len(data) != self.size or hashlib.sha256(data).digest() != self.sha256:
            raise LocalProtocolError("these bytes are not the file this manifest describes")
        return [
            Chunk(attachment_id, index, data[offset : offset + self.chunk_size])
            for index, offset in enumerate(range(0, self.size, self.chunk_size))
        ]

    def check_chunk(self, chunk: Chunk) -> None:
        """Raises :class:`MalformedInput` if a peer's chunk cannot belong to this file."""
        if not 0 <= chunk.index < self.chunk_count:
            raise MalformedInput("chunk: index beyond the attachment's chunk count")
        if len(chunk.data) != self.chunk_length(chunk.index):
            raise MalformedInput("chunk: wrong length for its index")

    def reassemble(self, chunks: Iterable[Chunk]) -> bytes:
        """The file from all its chunks (any order, each once); raises
        :class:`MalformedInput` if one is missing, misplaced or the SHA-256 differs."""
        by_index: dict[int, bytes] = {}
        for chunk in chunks:
            self.check_chunk(chunk)
            if by_index.setdefault(chunk.index, chunk.data) != chunk.data:
                raise MalformedInput("chunk: two different chunks for one index")
        if len(by_index) != self.chunk_count:
            raise MalformedInput("attachment: chunks are missing")
        data = b"".join(by_index[index] for index in range(self.chunk_count))
        if hashlib.sha256(data).digest() != self.sha256:
            raise MalformedInput("attachment: the file does not match its SHA-256")
        return data

    # --- JSON (metadata only: the chunk fields are the protocol's business) ---

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256.hex(),
            "caption": self.caption,
        }

    @classmethod
    def from_json(cls, obj: object) -> AttachmentManifest:
        """A manifest from its JSON form (chunked with :data:`CHUNK_DATA_SIZE`)."""
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in _JSON_KEYS}
        fields.done()
        size, digest = values["size"], values["sha256"]
        if isinstance(size, bool) or not isinstance(size, int):
            raise ClinicalError("size", "invalid_number")
        if not 1 <= size <= MAX_ATTACHMENT_BYTES:
            raise ClinicalError("size", "too_large")
        if not isinstance(digest, str) or len(digest) != 2 * SHA256_SIZE:
            raise ClinicalError("sha256", "invalid_type")
        try:
            sha256 = bytes.fromhex(digest)
        except ValueError:
            raise ClinicalError("sha256", "invalid_type") from None
        media_type, caption = values["media_type"], values["caption"]
        if not isinstance(media_type, str):
            raise ClinicalError("media_type", "invalid_media_type")
        if caption is not None and not isinstance(caption, str):
            raise ClinicalError("caption", "invalid_type")
        return cls(
            file_name=check_file_name(values["file_name"]),
            media_type=media_type,
            size=size,
            sha256=sha256,
            caption=caption,
            chunk_count=-(-size // CHUNK_DATA_SIZE),
            chunk_size=CHUNK_DATA_SIZE,
        )

    # --- Wire ---

    def encode_into(self, writer: Writer) -> None:
        kind = MediaType.from_mime(self.media_type)
        assert kind is not None  # checked on construction
        writer.bytes8(self.file_name.encode("utf-8")).u8(kind).u32(self.size).raw(self.sha256)
        writer.bytes16(optional_utf8(self.caption)).u32(self.chunk_count).u32(self.chunk_size)

    @classmethod
    def decode_from(cls, reader: Reader) -> AttachmentManifest:
        file_name = decode_utf8(reader.bytes8(), reader)
        try:
            media_type = MediaType(reader.u8()).mime
        except ValueError:
            raise reader.fail("unknown media type") from None
        size, sha256 = reader.u32(), reader.raw(SHA256_SIZE)
        caption = decode_optional_utf8(reader.bytes16(), reader)
        chunk_count, chunk_size = reader.u32(), reader.u32()
        return remote(
            "attachment",
            lambda: cls(file_name, media_type, size, sha256, caption, chunk_count, chunk_size),
        )


_JSON_KEYS: Final = ("file_name", "media_type", "size", "sha256", "caption")
