"""QR codes of pairing invitations: in the terminal, as PNG, SVG and inline SVG, and read back
from a photo or a screenshot.

The terminal form draws light and dark modules explicitly (black on white), so that it scans on
dark and light terminals alike, with the quiet zone of 4 modules the QR specification asks for.
Two module rows share one character cell through the half-block characters.

Reading uses zxing-cpp (an independent decoder, the one the tests also check our codes with) on
an image loaded by Pillow; both are imported only when an image is read.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CliError
from .os_errors import os_reason

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

# What every invitation text starts with (node.protocol.invitation.URI_PREFIX; the CLI does not
# import the protocol package).
INVITATION_PREFIX = "releve:"

QUIET_ZONE = 4
# Black on white, in the 8 basic colours every terminal has (the Linux console included).
_COLOURS = "\x1b[30;47m"
_RESET = "\x1b[0m"
# Index: top module dark (1) + bottom module dark (2).
_CELLS = (" ", "▀", "▄", "█")
_ASCII_CELLS = ("  ", "##")


def matrix(text: str) -> list[list[bool]]:
    """The modules of ``text`` (error correction M) with the quiet zone, True for dark."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]


def terminal_lines(text: str, *, colour: bool, unicode: bool = True) -> list[str]:
    """The QR code as lines of text.

    ``colour``: explicit black-on-white ANSI colours (for a terminal). Without it, dark modules
    are ink on the page. ``unicode`` False falls back to two ASCII characters per module.
    """
    modules = matrix(text)
    if not unicode:
        return ["".join(_ASCII_CELLS[dark] for dark in row) for row in modules]
    size = len(modules)
    lines = []
    for top in range(0, size, 2):
        upper = modules[top]
        lower = modules[top + 1] if top + 1 < size else [False] * size
        cells = "".join(_CELLS[a + 2 * b] for a, b in zip(upper, lower, strict=True))
        if colour:
            lines.append(f"{_COLOURS}{cells}{_RESET}")
        else:
            lines.append(cells)
    return lines


_PROBE = "▀▄█"


def stdout_lines(text: str) -> list[str]:
    """The QR code for standard output: half blocks where its encoding has them (else ASCII),
    explicit colours only on a terminal (`releve pair invite`, `releve tls ca`)."""
    import sys

    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        _PROBE.encode(encoding)
        unicode = True
    except (UnicodeEncodeError, LookupError):
        unicode = False
    return terminal_lines(text, colour=unicode and stream.isatty(), unicode=unicode)


def _render(text: str, image_factory: Any, **options: Any) -> bytes:
    """The invitation's QR code (level M, standard quiet zone) as image file bytes."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        border=QUIET_ZONE,
        image_factory=image_factory,
        **options,
    )
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    stream = io.BytesIO()
    code.make_image().save(stream)
    return stream.getvalue()


def png_bytes(text: str) -> bytes:
    from qrcode.image.pure import PyPNGImage

    return _render(text, PyPNGImage, box_size=8)


def svg_bytes(text: str) -> bytes:
    from qrcode.image.svg import SvgPathFillImage

    # The white background keeps the quiet zone light in a viewer with a dark theme.
    return _render(text, SvgPathFillImage)


def _write_private(path: Path, data: bytes) -> None:
    # node.paths loads dataclasses (and inspect, ast...): not at the start of every command.
    from node.paths import write_private

    write_private(path, data)


def write_png(text: str, path: Path) -> None:
    """Writes the PNG readable by its owner only: an invitation is a secret until used."""
    _write_private(path, png_bytes(text))


def write_svg(text: str, path: Path) -> None:
    _write_private(path, svg_bytes(text))


def svg_markup(text: str, *, label: str = "QR code") -> str:
    """The QR code as an inline ``<svg>`` element for an HTML page (no XML declaration).

    One unit per module, quiet zone included, black on an explicit white square so that it
    prints the same in black and white and on a page whose background is not printed.
    """
    from html import escape  # with its entity table: for the printed page only

    modules = matrix(text)
    size = len(modules)
    runs = []
    for y, row in enumerate(modules):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h{start - x}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{escape(label)}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


# -- reading a photo or a screenshot of a QR code ----------------------------------------------


def read_qr_texts(path: Path) -> list[str]:
    """The texts of the QR codes in the image file ``path`` (PNG, JPEG, GIF, BMP, WebP…).

    Raises CliError when the file cannot be read or is not an image. Pillow and zxing-cpp are
    imported here only: ``releve status`` must not load them.
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        # Pillow warns past MAX_IMAGE_PIXELS (about 89 megapixels) and fails past twice that:
        # a decompression bomb, or a photo far larger than a QR code needs.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as opened:
                opened.load()
                image = _grey_on_white(opened)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise CliError("error.image_too_large", path=path) from None
        except UnidentifiedImageError:
            raise CliError("error.image_not_image", path=path) from None
        except OSError as exc:
            if exc.errno is None:  # Pillow's own errors: a truncated or damaged image
                raise CliError("error.image_not_image", path=path) from None
            raise CliError("error.image_unreadable", path=path, reason=os_reason(exc)) from None
        except (ValueError, SyntaxError, EOFError):
            raise CliError("error.image_not_image", path=path) from None
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.QRCode))
    return [barcode.text for barcode in found]


def invitation_from_image(path: Path) -> str:
    """The one Relève invitation in the image ``path``; a clear CliError otherwise.

    Other QR codes in the picture (a poster, a leaflet beside the printed page) are ignored,
    but two different invitations are refused: which one the user meant cannot be guessed.
    """
    texts = read_qr_texts(path)
    if not texts:
        raise CliError("error.image_no_qr", path=path)
    invitations = sorted({compact for compact in map(_compact, texts) if _is_invitation(compact)})
    if not invitations:
        raise CliError("error.image_not_invitation", path=path)
    if len(invitations) > 1:
        raise CliError("error.image_several", path=path, count=len(invitations))
    return invitations[0]


def _grey_on_white(image: PILImage) -> PILImage:
    """Grey levels, transparent parts made white: a screenshot with a transparent background
    would otherwise turn black around the code and hide its quiet zone."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(white, rgba).convert("L")
    return image.convert("L")


def _compact(text: str) -> str:
    return "".join(text.split())


def _is_invitation(text: str) -> bool:
    return text[: len(INVITATION_PREFIX)].lower() == INVITATION_PREFIX
