"""`releve tls ca` / `releve tls ac` and `releve node --web-listen` (issue #15 part C): the
practice CA shown (fingerprints as text and QR) and written for the workstations, forgotten
with --new; the web client's flags handed to the daemon; a LAN address without TLS refused
at start, in French and in English, by the real daemon code."""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes

from clients.cli.catalog import CATALOG
from node.edges import tls
from node.edges.tls import TlsFiles, WebTls, parse_names

from .conftest import Cli

NAMES = parse_names(["cabinet.lan", "192.168.1.20"])


def make_ca(home: Path) -> TlsFiles:
    files = TlsFiles(home / "tls")
    home.mkdir(parents=True, exist_ok=True)
    WebTls.practice(files, tls.key_password(b"k" * 32), NAMES, "Cabinet du Parc", time.time)
    return files


def test_without_a_ca_it_says_how_to_get_one(cli: Cli, tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path), "tls", "ca")
    assert result.code == 1
    assert "pas encore d'autorité de certification" in result.err
    assert "--web-listen" in result.err


@pytest.mark.parametrize("command", ["ca", "ac"])
def test_it_shows_the_fingerprints_and_writes_the_certificate(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    files = make_ca(tmp_path / "home")
    ca = tls.read_certificate(files.ca)
    out = tmp_path / "poste" / "releve-ca.crt"
    out.parent.mkdir()
    result = cli("--home", str(tmp_path / "home"), "tls", command, "--out", str(out))
    assert result.code == 0, result.err
    assert out.read_bytes() == files.ca.read_bytes()
    assert f"Empreinte SHA-256 : {tls.fingerprint(ca)}" in result.out
    assert tls.fingerprint(ca, hashes.SHA1()) in result.out
    assert "Ne peut garantir que : cabinet.lan, 192.168.1.20" in result.out
    assert "Cabinet du Parc" in result.out
    assert "█" in result.out or "##" in result.out  # the QR code
    assert str(out.resolve()) in result.out
    assert "PRIVATE" not in result.out
    # Again: the same file is fine; another file by that name is never overwritten.
    assert cli("--home", str(tmp_path / "home"), "tls", command, "--out", str(out)).code == 0
    out.write_text("my notes")
    refused = cli("--home", str(tmp_path / "home"), "tls", command, "--out", str(out))
    assert refused.code == 1
    assert "existe déjà" in refused.err
    assert out.read_text() == "my notes"


def test_in_english(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_ca(tmp_path / "home")
    monkeypatch.chdir(tmp_path)
    result = cli("--lang", "en", "--home", str(tmp_path / "home"), "tls", "ca")
    assert result.code == 0, result.err
    assert "SHA-256 fingerprint:" in result.out
    assert "install it on every workstation" in result.out
    assert (tmp_path / "releve-ca.crt").exists()  # the default name, here


def test_an_unreadable_ca_says_so(cli: Cli, tmp_path: Path) -> None:
    files = make_ca(tmp_path / "home")
    files.ca.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot one\n")
    result = cli("--home", str(tmp_path / "home"), "tls", "ca", "--out", str(tmp_path / "x"))
    assert result.code == 1
    assert "illisible" in result.err
    assert not (tmp_path / "x").exists()
    files.ca.unlink()
    files.ca.mkdir()  # read_bytes fails with another reason than "no such file"
    result = cli("--home", str(tmp_path / "home"), "tls", "ca", "--out", str(tmp_path / "x"))
    assert result.code == 1
    assert "ne peut pas être lu" in result.err


def test_new_forgets_the_ca(cli: Cli, tmp_path: Path) -> None:
    files = make_ca(tmp_path / "home")
    result = cli("--home", str(tmp_path / "home"), "tls", "ca", "--new")
    assert result.code == 0
    assert "oubliée" in result.out
    assert not files.ca.exists()
    assert not files.ca_key.exists()
    assert not files.server.exists()
    again = cli("--home", str(tmp_path / "home"), "tls", "ca", "--new")
    assert "rien n'a été modifié" in again.out


def test_node_hands_the_web_flags_to_the_daemon(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def run(layout: object, **options: Any) -> int:
        calls.append(options)
        return 0

    module = types.ModuleType("node.daemon")
    module.__dict__["run"] = run
    monkeypatch.setitem(sys.modules, "node.daemon", module)
    result = cli(
        "--home",
        str(tmp_path),
        "node",
        "--web-listen",
        "0.0.0.0:8443",
        "--web-name",
        "cabinet.lan",
        "--web-name",
        "192.168.1.20",
        "--tls-cert",
        "c.pem",
        "--tls-key",
        "c.key",
        "--web-tls",
        "ca",
    )
    assert result.code == 0
    assert calls[0]["web"] == {
        "web_listen": "0.0.0.0:8443",
        "web_names": ["cabinet.lan", "192.168.1.20"],
        "web_tls": "ca",
        "tls_cert": "c.pem",
        "tls_key": "c.key",
    }
    assert cli("--home", str(tmp_path), "node").code == 0
    assert calls[1]["web"] == {
        "web_listen": None,
        "web_names": [],
        "web_tls": None,
        "tls_cert": None,
        "tls_key": None,
    }


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "ne peut pas être servi sur le réseau sans HTTPS"), ("en", "without HTTPS")],
)
def test_a_lan_address_without_tls_is_refused_at_start(
    cli: Cli, tmp_path: Path, lang: str, words: str
) -> None:
    home = str(tmp_path / "home")
    assert cli("--home", home, "init", "--name", "Cabinet", "--unattended").code == 0
    result = cli(
        "--lang", lang, "--home", home, "node", "--web-listen", "0.0.0.0:0", "--web-tls", "off"
    )
    assert result.code == 1
    assert words in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "home" / "tls").exists()
    assert not (tmp_path / "home" / "api.json").exists()  # nothing started


@pytest.mark.parametrize(
    "code",
    [
        "web_needs_tls",
        "invalid_web_name",
        "tls_no_names",
        "tls_names_changed",
        "tls_unreadable",
        "tls_ca_damaged",
    ],
)
def test_every_tls_setup_error_is_worded(code: str) -> None:
    assert f"setup.{code}" in CATALOG


def test_status_says_where_the_web_client_is_and_until_when_its_certificate_runs() -> None:
    from clients.cli.display import format_status
    from clients.cli.i18n import Translator

    base = {"name": "Cabinet du Parc", "role": "practice", "outbox": {}, "relays": []}
    over_tls = {
        **base,
        "web": {
            "url": "https://cabinet.lan:8443/",
            "https": True,
            "certificate_until": "2028-01-06T06:23:57.000Z",
            "ca_fingerprint": "73:C4",
        },
    }
    french = format_status(Translator("fr"), over_tls)
    assert any(
        line.startswith("Poste dans le navigateur : https://cabinet.lan:8443/ (HTTPS, certificat")
        and "2028" in line
        for line in french
    )
    english = format_status(Translator("en"), over_tls)
    assert any("Web client: https://cabinet.lan:8443/ (HTTPS" in line for line in english)
    plain = {**base, "web": {"url": "http://127.0.0.1:4242/", "https": False}}
    assert "Web client: http://127.0.0.1:4242/" in format_status(Translator("en"), plain)
    assert not any("Web client" in line for line in format_status(Translator("en"), base))
