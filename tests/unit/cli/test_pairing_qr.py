"""QR pairing on the CLI side: the printed page (`pair invite --print`) and photos of QR codes
(`pair accept --image`), against the stand-in node, with every error said plainly."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import qrcode
from PIL import Image, ImageDraw, ImageFilter
from qrcode.constants import ERROR_CORRECT_M

from clients.cli.catalog import CATALOG
from clients.cli.text import parse_time

from .conftest import Cli, running_fake_node
from .fake_node import CONTACT, STATUS, FakeNode
from .test_qr_readable import LONG, SHORT
from .test_startup import imported_modules

EXPIRES_AT = "2026-12-05T22:53:10.123Z"
LIGHT = (236, 232, 222)  # the colour of a sheet of paper under a lamp


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def offer(node: FakeNode, text: str = SHORT) -> None:
    node.answer("GET", "/v1/status", STATUS)
    node.answer("POST", "/v1/invitations", {"text": text, "expires_at": EXPIRES_AT}, 201)


def message(lang: str, key: str, **values: object) -> str:
    return CATALOG[key][lang].format(**values)


def qr_image(text: str, *, box_size: int = 6) -> Image.Image:
    """A QR code made by the qrcode library directly, as another program would make it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(text)
    code.make(fit=True)
    image: Image.Image = code.make_image().get_image()
    return image.convert("RGB")


def save(image: Image.Image, path: Path, *, quality: int = 75) -> Path:
    image.save(path, quality=quality)
    return path


def photo_of(image: Image.Image) -> Image.Image:
    """The code as a phone would see it on a printed page: on paper, turned a little, seen at a
    slant, smaller, soft, with less contrast."""
    width, height = image.size
    sheet = Image.new("RGB", (width * 2, height * 2), LIGHT)
    sheet.paste(image, (width // 2, height // 3))
    sheet = sheet.rotate(7.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=LIGHT)
    w, h = sheet.size
    # A slight perspective: the top of the sheet further away than its bottom.
    sheet = sheet.transform(
        (w, h),
        Image.Transform.PERSPECTIVE,
        (1.04, 0.03, -12.0, 0.01, 1.02, -8.0, 0.00004, 0.00002),
        resample=Image.Resampling.BICUBIC,
        fillcolor=LIGHT,
    )
    sheet = sheet.resize((int(w * 0.62), int(h * 0.62)), Image.Resampling.BILINEAR)
    sheet = sheet.filter(ImageFilter.GaussianBlur(0.8))
    return sheet.point(lambda value: 45 + value * 0.7)


@pytest.fixture
def second_node(tmp_path: Path) -> Iterator[FakeNode]:
    """Another stand-in node, for the other side of a pairing."""
    with running_fake_node(tmp_path / "other") as node:
        yield node


# -- releve pair invite --print ----------------------------------------------------------------


def test_print_writes_a_private_self_contained_page(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    offer(fake_node)
    page = tmp_path / "comptoir.html"
    result = cli(*home(fake_node), "pair", "invite", "--print", str(page))
    assert result.code == 0, result.err
    assert [(r.method, r.path) for r in fake_node.requests] == [
        ("GET", "/v1/status"),
        ("POST", "/v1/invitations"),
    ]
    assert os.stat(page).st_mode & 0o777 == 0o600
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "@page { size: A4 portrait;" in html
    # Nothing to fetch: no link, no script, no image file, no URL; a policy that forbids it.
    for forbidden in ("<script", "<link", "<img", "src=", "href=", "url(", "@import", "http:"):
        assert forbidden not in html.replace("http://www.w3.org/2000/svg", ""), forbidden
    assert "default-src 'none'" in html
    assert html.count("<svg ") == 1
    # Who, in both languages; the text, grouped; the expiry in local time.
    assert "<h1>Dr Camille Martin</h1>" in html
    assert "médecin généraliste · general practitioner" in html
    grouped = re.search(r'<pre class="text">(.*?)</pre>', html, flags=re.DOTALL)
    assert grouped is not None
    assert "".join(grouped.group(1).split()) == SHORT
    local = parse_time(EXPIRES_AT)
    assert local is not None
    assert local.strftime("%d/%m/%Y %H:%M") in html
    assert local.strftime("%Y-%m-%d %H:%M") in html
    # The instructions for the other party, in French and in English.
    assert html.count("<code>releve pair accept --image photo.png</code>") == 2
    assert 'lang="fr"' in html
    assert 'lang="en"' in html
    assert "Photographiez le QR code" in html
    assert "Take a photo of the QR code" in html
    assert "demandez-en une nouvelle à Dr Camille Martin" in html
    assert "ask Dr Camille Martin for a new one" in html
    # The terminal says where the page is, and that 15 minutes is short for a sheet on a wall.
    assert str(page) in result.out
    assert "imprimez-la" in result.out
    assert "--ttl 1440" in result.out


def test_print_with_a_long_ttl_and_a_long_invitation(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    offer(fake_node, LONG)
    page = tmp_path / "comptoir.HTM"
    result = cli(
        "--lang", "en", *home(fake_node), "pair", "invite", "--ttl", "43200", "--print", str(page)
    )
    assert result.code == 0, result.err
    assert fake_node.last().body == {"ttl_minutes": 43200}
    html = page.read_text(encoding="utf-8")
    assert '<body class="long">' in html  # a smaller font keeps it on one sheet
    grouped = re.search(r'<pre class="text">(.*?)</pre>', html, flags=re.DOTALL)
    assert grouped is not None
    assert "".join(grouped.group(1).split()) == LONG
    assert "Printable page written to" in result.out
    assert "--ttl 1440" not in result.out  # the validity was chosen


def test_print_escapes_what_it_did_not_write(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    offer(fake_node)
    fake_node.answer(
        "GET", "/v1/status", {**STATUS, "name": '<script>x</script> & "Cie"\x1b[2J', "role": "b<r>"}
    )
    page = tmp_path / "page.html"
    assert cli(*home(fake_node), "pair", "invite", "--print", str(page)).code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "\x1b" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; &quot;Cie&quot;\ufffd[2J" in html
    assert "b&lt;r&gt;" in html


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", ["invitation.pdf", "invitation.PDF", "invitation.png", "page"])
def test_print_refuses_anything_but_html_before_making_an_invitation(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str, name: str
) -> None:
    offer(fake_node)
    target = tmp_path / name
    result = cli("--lang", lang, *home(fake_node), "pair", "invite", "--print", str(target))
    assert result.code == 1
    assert fake_node.requests == []  # no invitation spent for nothing
    assert not target.exists()
    suggestion = target.with_suffix(".html")
    assert message(lang, "error.print_format", suggestion=suggestion) in result.err
    assert ("navigateur" if lang == "fr" else "browser") in result.err


def test_print_unwritable_page(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    offer(fake_node)
    target = tmp_path / "no-such-folder" / "page.html"
    result = cli("--lang", "en", *home(fake_node), "pair", "invite", "--print", str(target))
    assert result.code == 1
    assert f"cannot write {target}" in result.err


# -- releve pair accept --image ----------------------------------------------------------------


def accepted(node: FakeNode) -> None:
    node.answer("POST", "/v1/pairings", {"contact": CONTACT}, status=201)


def test_accept_image_made_by_another_program(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    accepted(fake_node)
    photo = save(qr_image(SHORT), tmp_path / "capture.png")
    result = cli("--lang", "en", *home(fake_node), "pair", "accept", "--image", str(photo))
    assert result.code == 0, result.err
    assert fake_node.last().body == {"invitation": SHORT}
    assert "Contact added: Pharmacie du Port (pharmacist)" in result.out
    assert CONTACT["safety_number"] in result.out


@pytest.mark.parametrize("text", [SHORT, LONG], ids=["short", "longest"])
def test_accept_a_photo_of_a_printed_code(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, text: str
) -> None:
    accepted(fake_node)
    photo = save(photo_of(qr_image(text, box_size=5)), tmp_path / "photo.jpg", quality=70)
    result = cli(*home(fake_node), "pair", "accept", "--image", str(photo))
    assert result.code == 0, result.err
    assert fake_node.last().body == {"invitation": text}


def test_accept_a_screenshot_with_a_transparent_background(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    accepted(fake_node)
    code = qr_image(SHORT).convert("L")
    # Dark modules opaque black, everything else transparent black: shown on white, it scans.
    transparent = Image.new("LA", code.size, (0, 0))
    transparent.putalpha(code.point(lambda value: 255 - value))
    photo = save(transparent, tmp_path / "capture.png")
    assert cli(*home(fake_node), "pair", "accept", "--image", str(photo)).code == 0
    assert fake_node.last().body == {"invitation": SHORT}


def test_invitation_among_other_codes_is_found(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    accepted(fake_node)
    poster = qr_image("https://example.org/horaires")
    invitation = qr_image(SHORT)
    sheet = Image.new(
        "RGB", (poster.width + invitation.width, max(poster.height, invitation.height)), "white"
    )
    sheet.paste(poster, (0, 0))
    sheet.paste(invitation, (poster.width, 0))
    photo = save(sheet, tmp_path / "wall.png")
    assert cli(*home(fake_node), "pair", "accept", "--image", str(photo)).code == 0
    assert fake_node.last().body == {"invitation": SHORT}


def test_png_from_one_node_pairs_the_other(
    cli: Cli, fake_node: FakeNode, second_node: FakeNode, tmp_path: Path
) -> None:
    """`pair invite --png` on one side, `pair accept --image` of that very file on the other."""
    offer(fake_node)
    png = tmp_path / "invitation.png"
    assert cli(*home(fake_node), "pair", "invite", "--png", str(png)).code == 0
    accepted(second_node)
    result = cli(*home(second_node), "pair", "accept", "--image", str(png))
    assert result.code == 0, result.err
    assert [(r.method, r.path, r.body) for r in second_node.requests] == [
        ("POST", "/v1/pairings", {"invitation": SHORT})
    ]


# -- what goes wrong with an image, said plainly -----------------------------------------------


def failed(cli: Cli, node: FakeNode, lang: str, image: Path) -> str:
    result = cli("--lang", lang, *home(node), "pair", "accept", "--image", str(image))
    assert result.code == 1
    assert result.out == ""
    assert node.requests == []  # nothing sent to the node
    return result.err


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_image_without_a_qr_code(cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str) -> None:
    image = Image.new("RGB", (400, 300), LIGHT)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 160, 160), fill="black")
    draw.ellipse((220, 60, 360, 200), outline="black", width=6)
    path = save(image, tmp_path / "photo.png")
    err = failed(cli, fake_node, lang, path)
    assert message(lang, "error.image_no_qr", path=path) in err
    assert ("tapez le texte" if lang == "fr" else "type the invitation text") in err


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_qr_code_that_is_not_an_invitation(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str
) -> None:
    path = save(qr_image("https://example.org/ordonnance"), tmp_path / "autre.png")
    err = failed(cli, fake_node, lang, path)
    assert message(lang, "error.image_not_invitation", path=path) in err
    assert "example.org" not in err  # whatever the code says is not shown


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_two_different_invitations(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str
) -> None:
    first, second = qr_image(SHORT), qr_image(SHORT[:-4] + "AAAA")
    sheet = Image.new("RGB", (first.width + second.width, first.height), "white")
    sheet.paste(first, (0, 0))
    sheet.paste(second, (first.width, 0))
    path = save(sheet, tmp_path / "deux.png")
    err = failed(cli, fake_node, lang, path)
    assert message(lang, "error.image_several", path=path, count=2) in err


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_missing_image_file(cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str) -> None:
    path = tmp_path / "absente.png"
    err = failed(cli, fake_node, lang, path)
    # The system's cause in the user's language too, not the C library's English.
    reason = message(lang, "oserror.ENOENT")
    assert message(lang, "error.image_unreadable", path=path, reason=reason) in err
    assert os.strerror(2) not in err


def test_folder_instead_of_an_image(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    err = failed(cli, fake_node, "en", tmp_path)
    assert f"cannot read the image {tmp_path}" in err


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    "content",
    [b"releve:AbC\n", b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01"],
    ids=["text", "empty", "truncated-png"],
)
def test_file_that_is_not_an_image(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str, content: bytes
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(content)
    err = failed(cli, fake_node, lang, path)
    assert message(lang, "error.image_not_image", path=path) in err


def test_damaged_image_data(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    qr_image(SHORT).save(buffer, format="PNG")
    path = tmp_path / "photo.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    err = failed(cli, fake_node, "en", path)
    assert message("en", "error.image_not_image", path=path) in err


def test_image_too_large(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past Pillow's limit (a decompression bomb, or a needlessly huge photo): refused."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    path = save(qr_image(SHORT), tmp_path / "photo.png")  # 282 x 282 pixels
    err = failed(cli, fake_node, "en", path)
    assert message("en", "error.image_too_large", path=path) in err


# -- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["pair", "accept"], ["pair", "accept", "releve:AbC", "--image", "photo.png"]],
    ids=["neither", "both"],
)
def test_accept_takes_the_text_or_an_image(cli: Cli, fake_node: FakeNode, args: list[str]) -> None:
    result = cli(*home(fake_node), *args)
    assert result.code == 2
    assert "--image" in result.err
    assert fake_node.requests == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_help_mentions_print_and_image(cli: Cli, lang: str) -> None:
    invite = cli("--lang", lang, "pair", "invite", "--help")
    assert "--print" in invite.out
    assert message(lang, "help.print").split()[0] in invite.out
    accept = cli("--lang", lang, "pair", "accept", "--help")
    assert "--image" in accept.out


# -- expired and used invitations: what to do --------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("code", ["invitation_expired", "invitation_used", "invitation_invalid"])
def test_spent_invitation_says_to_ask_for_a_new_one(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str, code: str
) -> None:
    fake_node.fail("POST", "/v1/pairings", 400, code, "english text for the log")
    path = save(qr_image(SHORT), tmp_path / "photo.png")
    result = cli("--lang", lang, *home(fake_node), "pair", "accept", "--image", str(path))
    assert result.code == 1
    said = message(lang, f"api.{code}")
    assert said in result.err
    assert ("demandez" if lang == "fr" else "ask for a new") in said


# -- start-up: the image libraries are loaded for --image only ---------------------------------

IMAGE_PACKAGES = {"PIL", "zxingcpp", "resvg_py"}


def image_packages(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] in IMAGE_PACKAGES}


def test_status_and_text_accept_load_no_image_library(fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS)
    accepted(fake_node)
    code, modules = imported_modules(fake_node.home, "status")
    assert code == 0
    assert image_packages(modules) == set()
    code, modules = imported_modules(fake_node.home, "pair", "accept", SHORT)
    assert code == 0
    assert image_packages(modules) == set()
