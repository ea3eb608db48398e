"""QR codes of pairing invitations: in the terminal, as PNG and as SVG.

The terminal form draws light and dark modules explicitly (black on white), so that it scans on
dark and light terminals alike, with the quiet zone of 4 modules the QR specification asks for.
Two module rows share one character cell through the half-block characters.
"""

from __future__ import annotations

import io
from pathlib import Path

from node.paths import write_private

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


def png_bytes(text: str) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.image.pure import PyPNGImage

    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        border=QUIET_ZONE,
        box_size=8,
        image_factory=PyPNGImage,
    )
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    stream = io.BytesIO()
    code.make_image().save(stream)
    return stream.getvalue()


def svg_bytes(text: str) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.image.svg import SvgPathFillImage

    # The white background keeps the quiet zone light in a viewer with a dark theme.
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        border=QUIET_ZONE,
        image_factory=SvgPathFillImage,
    )
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    stream = io.BytesIO()
    code.make_image().save(stream)
    return stream.getvalue()


def write_png(text: str, path: Path) -> None:
    """Writes the PNG readable by its owner only: an invitation is a secret until used."""
    write_private(path, png_bytes(text))


def write_svg(text: str, path: Path) -> None:
    write_private(path, svg_bytes(text))
