"""The web client's QR codes (node/edges/web/qr.py): drawn as inline SVG, read back from an
image's bytes with zxing-cpp, and every refusal named."""

from __future__ import annotations

import asyncio
import io

import pytest
import qrcode
from PIL import Image

from node.edges.web import qr

INVITATION = "releve:" + "AbCd" * 40


def png(*texts: str, size: tuple[int, int] = (900, 500)) -> bytes:
    """One picture holding a QR code for each text, side by side, on white."""
    picture = Image.new("L", size, 255)
    for index, text in enumerate(texts):
        code = qrcode.make(text, box_size=4, border=4).get_image().convert("L")
        picture.paste(code, (index * (code.width + 20), 0))
    stream = io.BytesIO()
    picture.save(stream, "PNG")
    return stream.getvalue()


def decode(data: bytes) -> str:
    return asyncio.run(qr.invitation_in_image(data))


def test_the_svg_is_sized_by_the_page_and_labelled_escaped() -> None:
    svg = str(qr.invitation_svg(INVITATION, 'QR "<code>"'))
    assert svg.startswith('<svg class="qr-code" role="img" aria-label="QR &#34;&lt;code&gt;&#34;"')
    assert "<?xml" not in svg
    assert 'width="' not in svg.split(">", 1)[0]
    assert "viewBox=" in svg
    assert "<script" not in svg


def test_an_invitation_is_read_back_from_a_picture() -> None:
    assert decode(png(INVITATION)) == INVITATION


def test_another_qr_code_beside_it_is_ignored() -> None:
    assert decode(png("https://example.org/poster", INVITATION)) == INVITATION


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (png("https://example.org/"), "image_not_invitation"),
        (png(INVITATION, "releve:" + "Zz" * 60), "image_several"),
        (png(size=(300, 300)), "image_no_qr"),
        (b"\x89PNG\r\n\x1a\n not an image", "image_not_image"),
        (b"", "image_not_image"),
    ],
)
def test_what_gives_no_invitation_is_named(data: bytes, code: str) -> None:
    with pytest.raises(qr.ImageRefused) as refused:
        decode(data)
    assert refused.value.code == code


def test_too_many_pixels_are_refused_before_decoding() -> None:
    stream = io.BytesIO()
    Image.new("1", (8000, 8000), 1).save(stream, "PNG")  # a few kilobytes, 64 megapixels
    with pytest.raises(qr.ImageRefused) as refused:
        decode(stream.getvalue())
    assert refused.value.code == "image_too_large"


def test_a_pasted_invitation_is_compacted() -> None:
    assert qr.compact_text(" releve:Ab\n  Cd ") == "releve:AbCd"
    assert qr.is_invitation("RELEVE:abc")
    assert not qr.is_invitation("http://releve")
