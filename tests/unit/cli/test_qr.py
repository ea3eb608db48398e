"""QR codes: terminal rendering with its quiet zone, PNG and SVG files for the owner only."""

from __future__ import annotations

import os
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from clients.cli import qr

TEXT = "releve:" + "Q2FtaWxsZS1NYXJ0aW4tZGVtbw" * 12
HALF_BLOCKS = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def strip_colour(line: str) -> str:
    assert line.startswith("\x1b[30;47m")
    assert line.endswith("\x1b[0m")
    return line[len("\x1b[30;47m") : -len("\x1b[0m")]


def decode_half_blocks(lines: list[str]) -> list[list[bool]]:
    """The module matrix drawn by ``lines`` (two module rows per line)."""
    rows: list[list[bool]] = []
    for line in lines:
        pairs = [HALF_BLOCKS[char] for char in line]
        rows.append([top for top, _ in pairs])
        rows.append([bottom for _, bottom in pairs])
    return rows


def test_matrix_has_the_quiet_zone() -> None:
    modules = qr.matrix(TEXT)
    size = len(modules)
    assert size % 2 == 1  # 4 * version + 17 + 2 * 4
    assert all(len(row) == size for row in modules)
    for index in range(qr.QUIET_ZONE):
        assert not any(modules[index])
        assert not any(modules[-1 - index])
        assert not any(row[index] for row in modules)
        assert not any(row[-1 - index] for row in modules)
    assert any(any(row) for row in modules)


@pytest.mark.parametrize("colour", [True, False])
def test_terminal_rendering_draws_every_module(colour: bool) -> None:
    lines = qr.terminal_lines(TEXT, colour=colour)
    assert lines
    plain = [strip_colour(line) if colour else line for line in lines]
    modules = qr.matrix(TEXT)
    size = len(modules)
    assert len(plain) == (size + 1) // 2  # compact: two module rows per line
    assert all(len(line) == size for line in plain)
    # The quiet zone is drawn (as light cells), not left out.
    assert plain[0] == " " * size
    assert plain[1] == " " * size
    assert all(line[:4] == "    " and line[-4:] == "    " for line in plain)
    decoded = decode_half_blocks(plain)
    assert decoded[:size] == modules
    assert all(not any(row) for row in decoded[size:])  # the padding row is light


def test_terminal_ascii_fallback() -> None:
    lines = qr.terminal_lines(TEXT, colour=False, unicode=False)
    modules = qr.matrix(TEXT)
    assert len(lines) == len(modules)
    assert [[line[2 * i : 2 * i + 2] == "##" for i in range(len(modules))] for line in lines] == (
        modules
    )
    assert set("".join(lines)) <= {"#", " "}


def test_png_file(tmp_path: Path) -> None:
    path = tmp_path / "invitation.png"
    qr.write_png(TEXT, path)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert width == height == len(qr.matrix(TEXT)) * 8
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_svg_file(tmp_path: Path) -> None:
    path = tmp_path / "invitation.svg"
    qr.write_svg(TEXT, path)
    root = ET.fromstring(path.read_bytes())
    assert root.tag.endswith("svg")
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_existing_file_becomes_private(tmp_path: Path) -> None:
    path = tmp_path / "invitation.png"
    path.write_bytes(b"")
    path.chmod(0o644)
    qr.write_png(TEXT, path)
    assert os.stat(path).st_mode & 0o777 == 0o600
