"""Attachments: safe file names, `releve save`, `releve send --file` and its progress bar."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from clients.cli import progress
from clients.cli.files import MAX_NAME_BYTES, publish, safe_file_name

from .conftest import Cli
from .fake_node import MESSAGE_IN, FakeNode, attachment, error, message

ID = MESSAGE_IN["message_id"]
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


# -- safe names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "media_type", "expected"),
    [
        ("bilan.pdf", "application/pdf", "bilan.pdf"),
        ("Bilan sanguin été.PDF", "application/pdf", "Bilan sanguin été.PDF"),
        ("../../etc/passwd", None, "passwd"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\evil.pdf", "application/pdf", "evil.pdf"),
        ("..", "application/pdf", "piece-jointe.pdf"),
        ("", "image/png", "piece-jointe.png"),
        ("...", None, "piece-jointe"),
        (".bashrc", None, "bashrc"),
        ("..hidden.jpg", "image/jpeg", "hidden.jpg"),
        ("CON", None, "_CON"),
        ("con.pdf", "application/pdf", "_con.pdf"),
        ("LPT1.png", "image/png", "_LPT1.png"),
        ("nul .txt", None, "_nul .txt"),
        ("radio\x1b[31m\x07.jpg", "image/jpeg", "radio[31m.jpg"),
        ("a\nb\rc\x00d.pdf", "application/pdf", "abcd.pdf"),
        ("gpj.\u202eexe.pdf", "application/pdf", "gpj.exe.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "application/pdf", "a_b_c_d_e_f_g_h.pdf"),
        ("scan.exe", "application/pdf", "scan.exe.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("trailing. . ", None, "trailing"),
    ],
)
def test_safe_file_name(given: str, media_type: str | None, expected: str) -> None:
    assert safe_file_name(given, media_type) == expected


def test_safe_file_name_caps_the_length_and_keeps_the_suffix() -> None:
    name = safe_file_name("é" * 400 + ".pdf", "application/pdf")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.endswith(".pdf")
    assert name.startswith("éé")


def test_publish_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "bilan.pdf").write_bytes(b"old")
    (tmp_path / "bilan (2).pdf").write_bytes(b"older")
    temporary = tmp_path / "t.part"
    temporary.write_bytes(b"new")
    target = publish(temporary, tmp_path, "bilan.pdf")
    assert target == tmp_path / "bilan (3).pdf"
    assert target.read_bytes() == b"new"
    assert (tmp_path / "bilan.pdf").read_bytes() == b"old"


# -- releve save ---------------------------------------------------------------------------------


def serve_attachment(node: FakeNode, data: bytes, **fields: Any) -> None:
    meta = {**attachment(data), **fields}
    node.answer("GET", f"/v1/messages/{ID}", message("attachment", attachment=meta))
    node.answer("GET", f"/v1/messages/{ID}/file", data)
    node.answer("POST", f"/v1/messages/{ID}/saved", {"recorded": True})


def saved_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_save_writes_a_private_file_and_records_it(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    folder = tmp_path / "dossier"
    folder.mkdir()
    serve_attachment(fake_node, PDF)
    result = cli("--lang", "en", *home(fake_node), "save", ID, str(folder))
    assert result.code == 0, result.err
    target = folder / "bilan.pdf"
    assert target.read_bytes() == PDF
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert f"File saved: {target}" in result.out
    assert fake_node.last().path == f"/v1/messages/{ID}/saved"
    assert saved_files(folder) == ["bilan.pdf"]  # no temporary file left behind
    again = cli(*home(fake_node), "save", ID, str(folder))
    assert again.code == 0
    assert saved_files(folder) == ["bilan (2).pdf", "bilan.pdf"]
    assert target.read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("CON", "_CON.pdf"),
        (".bashrc", "bashrc.pdf"),
        ("lab\x1b]0;x\x07result.pdf", "lab]0;xresult.pdf"),
    ],
)
def test_save_makes_a_hostile_name_safe(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, name: str, expected: str
) -> None:
    folder = tmp_path / "inbox" / "files"
    folder.mkdir(parents=True)
    serve_attachment(fake_node, PDF, file_name=name)
    result = cli("--lang", "en", *home(fake_node), "save", ID, str(folder))
    assert result.code == 0, result.err
    assert saved_files(folder) == [expected]
    assert saved_files(tmp_path / "inbox") == ["files"]
    assert "made safe for the disk" in result.out
    assert "\x1b" not in result.out


def test_save_refuses_a_file_that_does_not_match(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    serve_attachment(fake_node, PDF)
    fake_node.answer("GET", f"/v1/messages/{ID}/file", PDF[:-1] + b"X")
    result = cli("--lang", "en", *home(fake_node), "save", ID, str(tmp_path))
    assert result.code == 1
    assert "does not match its fingerprint" in result.err
    assert saved_files(tmp_path) == ["home"]
    assert not fake_node.to("POST", f"/v1/messages/{ID}/saved")


def test_save_an_incomplete_attachment(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    serve_attachment(fake_node, PDF, complete=False, done=1)
    fake_node.fail("GET", f"/v1/messages/{ID}/file", 409, "attachment_incomplete", "not complete")
    result = cli("--lang", "en", *home(fake_node), "save", ID, str(tmp_path))
    assert result.code == 1
    assert "the attachment is not complete and checked yet" in result.err
    assert saved_files(tmp_path) == ["home"]


def test_save_needs_an_existing_folder_and_an_attachment(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    missing = cli("--lang", "en", *home(fake_node), "save", ID, str(tmp_path / "nope"))
    assert missing.code == 1
    assert "does not exist" in missing.err
    assert fake_node.requests == []
    fake_node.answer("GET", f"/v1/messages/{ID}", message())
    text = cli("--lang", "en", *home(fake_node), "save", ID, str(tmp_path))
    assert text.code == 1
    assert "this message has no attachment" in text.err


def test_save_interrupted_leaves_nothing(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_attachment(fake_node, PDF)

    def interrupted(*args: Any, **kwargs: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("clients.cli.api.ApiClient.download_file", interrupted)
    result = cli("--lang", "en", *home(fake_node), "save", ID, str(tmp_path))
    assert result.code == 130
    assert "nothing was written" in result.out
    assert saved_files(tmp_path) == ["home"]


# -- releve send --file --------------------------------------------------------------------------

OUT_ID = "a" * 32


def outgoing(done: int, chunks: int = 4, status: str = "queued") -> tuple[int, Any]:
    meta = attachment(PDF, chunks=chunks, done=done, complete=False)
    return 200, message("attachment", "out", message_id=OUT_ID, attachment=meta, status=status)


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    pauses: list[float] = []
    monkeypatch.setattr(progress, "sleep", pauses.append)
    return pauses


def test_send_file_streams_the_bytes_and_follows_the_transfer(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, no_pause: list[float]
) -> None:
    source = tmp_path / "bilan sanguin.pdf"
    source.write_bytes(PDF)
    fake_node.answer("POST", "/v1/files", outgoing(0)[1], status=201)
    fake_node.answer_sequence(
        "GET", f"/v1/messages/{OUT_ID}", [outgoing(0), outgoing(1), outgoing(3), outgoing(4)]
    )
    result = cli(
        "--lang",
        "en",
        *home(fake_node),
        "send",
        "Pharm",
        "--file",
        str(source),
        "--caption",
        "Bilan",
        "--urgent",
    )
    assert result.code == 0, result.err
    assert result.out == OUT_ID + "\n"
    (upload,) = fake_node.to("POST", "/v1/files")
    assert upload.raw == PDF
    assert upload.headers["content-type"] == "application/octet-stream"
    assert upload.query == {
        "contact": ["Pharm"],
        "name": ["bilan sanguin.pdf"],
        "priority": ["urgent"],
        "caption": ["Bilan"],
    }
    assert len(fake_node.to("GET", f"/v1/messages/{OUT_ID}")) == 4
    assert len(no_pause) == 3
    assert "0 % 0/4 parts" in result.err
    assert "100 % 4/4 parts" in result.err
    assert "File delivered to Pharmacie du Port in full." in result.err


def test_send_file_no_wait(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n")
    fake_node.answer("POST", "/v1/files", outgoing(0)[1], status=201)
    result = cli(*home(fake_node), "send", "Pharm", "--file", str(source), "--no-wait")
    assert result.code == 0
    assert [r.path for r in fake_node.requests] == ["/v1/files"]
    assert fake_node.last().query == {"contact": ["Pharm"], "name": ["scan.png"]}


def test_ctrl_c_during_the_progress_leaves_the_transfer_running(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "bilan.pdf"
    source.write_bytes(PDF)
    fake_node.answer("POST", "/v1/files", outgoing(0)[1], status=201)
    fake_node.answer_sequence("GET", f"/v1/messages/{OUT_ID}", [outgoing(0), outgoing(1)])
    pauses = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(progress, "sleep", sleep)
    result = cli("--lang", "en", *home(fake_node), "send", "Pharm", "--file", str(source))
    assert result.code == 130
    assert result.out == OUT_ID + "\n"
    assert "the transfer continues in the node" in result.err
    assert f"releve show {OUT_ID}" in result.err


def test_a_failed_transfer_is_said(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, no_pause: list[float]
) -> None:
    source = tmp_path / "bilan.pdf"
    source.write_bytes(PDF)
    fake_node.answer("POST", "/v1/files", outgoing(0)[1], status=201)
    fake_node.answer_sequence(
        "GET", f"/v1/messages/{OUT_ID}", [outgoing(1), outgoing(1, status="failed")]
    )
    result = cli("--lang", "en", *home(fake_node), "send", "Pharm", "--file", str(source))
    assert result.code == 1
    assert "the attachment's transfer failed" in result.err


def test_send_file_local_checks(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.touch()
    big = tmp_path / "big.pdf"
    with big.open("wb") as stream:
        stream.truncate(64 * 1024 * 1024 + 1)  # sparse: no 64 MiB written to the disk
    for path, expected in (
        (tmp_path / "missing.pdf", "does not exist"),
        (empty, "is empty"),
        (big, "is 64 MiB: more than 64 MiB"),
        (tmp_path, "is not a file"),
    ):
        result = cli("--lang", "en", *home(fake_node), "send", "Pharm", "--file", str(path))
        assert result.code == 1
        assert expected in result.err
    assert fake_node.requests == []


def test_send_file_refused_by_the_node(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"plain text")
    fake_node.answer_sequence(
        "POST",
        "/v1/files",
        [
            (
                400,
                error("invalid_field", "bad type", field="media_type", reason="invalid_media_type"),
            )
        ],
    )
    result = cli(*home(fake_node), "send", "Pharm", "--file", str(source))
    assert result.code == 1
    assert "type de fichier : type de fichier refusé : PDF, JPEG" in result.err
