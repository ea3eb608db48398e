"""QR codes in the web client: pairing invitations and printed prescriptions' verification
codes, drawn as inline SVG (qrcode's SVG image factory), and invitations read back from a
photo or a webcam frame the browser sends (zxing-cpp on an image Pillow loads, as ``releve pair
accept --image`` does in clients/cli/qr.py; the node does not import the CLI, so the few lines
are repeated here).

Decoding runs on the node rather than in the browser: zxing-cpp is already a dependency, so
no JavaScript decoder has to be vendored, audited and kept up to date, and every image goes
through one decoder whatever its source (a file or a frame). Everything read is bounded: the
bytes (by the caller), the pixels (before decoding), and the decodings running at once.
"""

from __future__ import annotations

import asyncio
import io
import re
import warnings
from typing import TYPE_CHECKING, Final

from markupsafe import Markup, escape

from node.protocol.invitation import URI_PREFIX

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

QUIET_ZONE: Final = 4
# A photo of a printed page from a phone is 12 to 50 megapixels; a QR code needs far fewer.
MAX_PIXELS: Final = 60_000_000
# Decoding is CPU work in a thread: a tab sending frames cannot take every core.
_DECODING: Final = asyncio.Semaphore(2)
_SVG_OPENING: Final = re.compile(r'^<svg width="[^"]*" height="[^"]*"')


class ImageRefused(Exception):
    """An image the browser sent cannot give an invitation; ``code`` names why (a text key)."""

    def __init__(self, code: str, count: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.count = count


def invitation_svg(text: str, label: str) -> Markup:
    """The invitation's QR code (level M, quiet zone of 4) as an inline ``<svg>``: black
    modules on a white square, sized by the page's style (no fixed width or height)."""
    return code_svg(text, label, "qr-code")


def code_svg(text: str, label: str, css_class: str) -> Markup:
    """A QR code as :func:`invitation_svg` draws it (also a printed prescription's
    verification codes, docs/protocol.md §19.7, encoded as `releve print` encodes them)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.image.svg import SvgPathFillImage

    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, image_factory=SvgPathFillImage
    )
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]  # no XML declaration inside HTML
    opening = f'<svg class="{escape(css_class)}" role="img" aria-label="{escape(label)}"'
    # Only qrcode's own markup and our escaped label and class: nothing from a peer.
    return Markup(_SVG_OPENING.sub(opening, svg, count=1))  # noqa: S704 (see above)


async def invitation_in_image(data: bytes) -> str:
    """The one Relève invitation in an image file's bytes (PNG, JPEG, WebP, GIF, BMP…);
    ImageRefused otherwise. Other QR codes in the picture are ignored; two different
    invitations are refused (which one was meant cannot be guessed)."""
    async with _DECODING:
        texts = await asyncio.to_thread(read_qr_texts, data)
    return invitation_of(texts)


def invitation_of(texts: list[str]) -> str:
    if not texts:
        raise ImageRefused("image_no_qr")
    invitations = sorted(
        {compact for compact in map(compact_text, texts) if is_invitation(compact)}
    )
    if not invitations:
        raise ImageRefused("image_not_invitation")
    if len(invitations) > 1:
        raise ImageRefused("image_several", len(invitations))
    return invitations[0]


def read_qr_texts(data: bytes) -> list[str]:
    """The texts of the QR codes in an image file's bytes."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise ImageRefused("image_too_large")
                opened.load()
                image = _grey_on_white(opened)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRefused("image_too_large") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise ImageRefused("image_not_image") from None
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.QRCode))
    return [barcode.text for barcode in found]


def _grey_on_white(image: PILImage) -> PILImage:
    """Grey levels, transparent parts made white (a screenshot's transparent background would
    turn black around the code and hide its quiet zone)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(white, rgba).convert("L")
    return image.convert("L")


def compact_text(text: str) -> str:
    """An invitation as typed or pasted: wrapped, indented or grouped by fives."""
    return "".join(text.split())


def is_invitation(text: str) -> bool:
    return text[: len(URI_PREFIX)].lower() == URI_PREFIX
