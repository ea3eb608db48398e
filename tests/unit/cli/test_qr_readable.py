"""Every QR code Relève draws is read back by an independent decoder (zxing-cpp), not by qrcode.

The PNG and the SVG are written by the real command (`releve pair invite`, against the stand-in
node); the SVG files and the printed page's inline SVG are rendered by resvg, an independent
SVG renderer; the terminal rendering is drawn module by module into an image with Pillow, as a
screen would show it.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
import resvg_py
import zxingcpp
from PIL import Image, ImageOps

from clients.cli import print_page, qr

from .conftest import Cli
from .fake_node import STATUS, FakeNode

# Invitation-like texts: a direct-only invitation is about 200 characters; relays make it longer
# (the node refuses over 1024).
SHORT = "releve:" + base64.urlsafe_b64encode(bytes(range(7, 150))).decode().rstrip("=")
LONG = "releve:" + base64.urlsafe_b64encode(bytes(range(256)) * 3).decode()[:1017]
TEXTS = [pytest.param(SHORT, id="short"), pytest.param(LONG, id="longest")]
HALF_BLOCKS = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def decode(image: Image.Image) -> list[str]:
    """What an ordinary scanner reads: zxing-cpp, QR codes only."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.QRCode))
    return [barcode.text for barcode in found]


def decode_png(data: bytes) -> list[str]:
    with Image.open(io.BytesIO(data)) as image:
        return decode(image.convert("L"))


def render_svg(svg: str, width: int) -> bytes:
    """The SVG as a PNG drawn by resvg, on white like a page or a viewer."""
    # A dpi is needed for sizes given in millimetres (the files of qrcode's SVG writer).
    return resvg_py.svg_to_bytes(svg_string=svg, width=width, dpi=96.0, background="#ffffff")


def draw_modules(
    rows: list[list[bool]], *, cell_width: int = 8, cell_height: int = 8
) -> Image.Image:
    """A screen's view of a module matrix: dark cells black, light cells white."""
    height, width = len(rows), len(rows[0])
    image = Image.new("L", (width * cell_width, height * cell_height), 255)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                box = (x * cell_width, y * cell_height, (x + 1) * cell_width, (y + 1) * cell_height)
                image.paste(0, box)
    return image


def half_block_rows(lines: list[str]) -> list[list[bool]]:
    rows: list[list[bool]] = []
    for line in lines:
        pairs = [HALF_BLOCKS[char] for char in line]
        rows.append([top for top, _ in pairs])
        rows.append([bottom for _, bottom in pairs])
    return rows


def qr_lines_of(output: str, text: str) -> list[str]:
    """The terminal QR code in the output of `releve pair invite`: after the text, up to a blank."""
    lines = output.splitlines()
    start = lines.index(text) + 2
    end = lines.index("", start)
    return lines[start:end]


# -- files written by `releve pair invite` -----------------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_png_written_by_the_command_is_readable(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, text: str
) -> None:
    fake_node.answer(
        "POST", "/v1/invitations", {"text": text, "expires_at": "2026-11-28T23:08:10.123Z"}, 201
    )
    png = tmp_path / "invitation.png"
    assert cli("--home", str(fake_node.home), "pair", "invite", "--png", str(png)).code == 0
    assert decode_png(png.read_bytes()) == [text]


@pytest.mark.parametrize("text", TEXTS)
def test_svg_written_by_the_command_is_readable(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, text: str
) -> None:
    fake_node.answer(
        "POST", "/v1/invitations", {"text": text, "expires_at": "2026-11-28T23:08:10.123Z"}, 201
    )
    svg = tmp_path / "invitation.svg"
    assert cli("--home", str(fake_node.home), "pair", "invite", "--svg", str(svg)).code == 0
    markup = svg.read_text(encoding="utf-8")
    modules = len(qr.matrix(text))
    # At a whole number of pixels per module, and at an odd size as a viewer would scale it.
    for width in (modules * 6, 731):
        assert decode_png(render_svg(markup, width)) == [text], width


@pytest.mark.parametrize("text", TEXTS)
def test_printed_page_qr_code_is_readable(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, text: str
) -> None:
    fake_node.answer("GET", "/v1/status", STATUS)
    fake_node.answer(
        "POST", "/v1/invitations", {"text": text, "expires_at": "2026-11-28T23:08:10.123Z"}, 201
    )
    page = tmp_path / "invitation.html"
    assert cli("--home", str(fake_node.home), "pair", "invite", "--print", str(page)).code == 0
    html = page.read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    assert len(svgs) == 1
    # The printed size: 72 to 78 mm, at 150 and at a coarse 100 dots per inch.
    for dpi in (150, 100):
        assert decode_png(render_svg(svgs[0], round(72 / 25.4 * dpi))) == [text], dpi


# -- the terminal ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_terminal_qr_printed_by_the_command_is_readable(
    cli: Cli, fake_node: FakeNode, text: str
) -> None:
    fake_node.answer(
        "POST", "/v1/invitations", {"text": text, "expires_at": "2026-11-28T23:08:10.123Z"}, 201
    )
    result = cli("--home", str(fake_node.home), "pair", "invite")
    assert result.code == 0
    lines = qr_lines_of(result.out, text)
    # A terminal cell is about twice as high as wide: each half block is a square module.
    assert decode(draw_modules(half_block_rows(lines))) == [text]


def test_coloured_terminal_qr_is_readable_on_a_dark_terminal() -> None:
    """With colours, light modules are drawn white: what a dark terminal shows is the same."""
    lines = [ANSI.sub("", line) for line in qr.terminal_lines(SHORT, colour=True)]
    assert decode(draw_modules(half_block_rows(lines))) == [SHORT]


def test_uncoloured_terminal_qr_inverted_by_a_dark_terminal_is_still_readable() -> None:
    """Piped to a dark terminal without colours, the code shows light on dark."""
    lines = qr.terminal_lines(SHORT, colour=False)
    image = ImageOps.invert(draw_modules(half_block_rows(lines)))
    assert decode(image) == [SHORT]


def test_ascii_terminal_qr_is_readable() -> None:
    lines = qr.terminal_lines(SHORT, colour=False, unicode=False)
    rows = [[line[2 * i : 2 * i + 2] == "##" for i in range(len(line) // 2)] for line in lines]
    # Two characters a module, one line a module row: cells of 2 x (4 by 8 pixels).
    assert decode(draw_modules(rows, cell_width=8, cell_height=8)) == [SHORT]


# -- the inline SVG itself ---------------------------------------------------------------------


def test_inline_svg_draws_exactly_the_matrix() -> None:
    """At one pixel per module, the inline SVG is the module matrix, quiet zone included."""
    markup = qr.svg_markup(SHORT, label='QR "code" <x>')
    assert "<?xml" not in markup
    assert 'aria-label="QR &quot;code&quot; &lt;x&gt;"' in markup
    modules = qr.matrix(SHORT)
    with Image.open(io.BytesIO(render_svg(markup, len(modules)))) as image:
        grey = image.convert("L")
        pixels = [[grey.getpixel((x, y)) for x in range(len(modules))] for y in range(len(modules))]
    assert [[value == 0 for value in row] for row in pixels] == modules
    assert all(value in (0, 255) for row in pixels for value in row)


def test_page_lines_type_back_to_the_invitation() -> None:
    """What a person types from the printed lines (spaces and breaks ignored) is the text."""
    for text in (SHORT, LONG):
        for per_line in (print_page.GROUPS_PER_LINE, print_page.GROUPS_PER_LONG_LINE):
            lines = print_page.text_lines(text, per_line)
            assert "".join("".join(lines).split()) == text
            width = per_line * (print_page.GROUP + 1) - 1
            assert all(len(line) <= width for line in lines)
            assert lines[0].startswith("releve: ")
