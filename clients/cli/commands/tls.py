"""``releve tls ca`` (French: ``releve tls ac``): the practice certificate authority of a clinic
server, for the workstations to trust (issue #15; docs/operations.md, "Serveur de cabinet").

The node makes the CA at its first start with ``--web-listen`` off loopback (node/edges/tls.py).
This command shows its fingerprints (text and QR, to compare on each workstation), the names
it is limited to, and writes its certificate (public: PEM in a ``.crt`` file, which Windows,
macOS, Linux and Firefox all install). ``--new`` forgets the CA (after a theft of the server,
or when its names changed): the node makes a new one at its next start. Like ``init`` and
``node``, it works on the home's files with the node's code, imported here only.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from ..command import Command, Context
from ..errors import CliError
from ..i18n import Translator
from ..os_errors import os_reason

DEFAULT_OUT: Final = "releve-ca.crt"


def _arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--out", metavar=tr("metavar.file"), help=tr("help.tls_out"))
    parser.add_argument("--new", action="store_true", help=tr("help.tls_new"))


def cmd_ca(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    from node.edges.tls import TlsFiles, fingerprint, forget_ca, permitted_names

    files = TlsFiles(ctx.layout.root / "tls")
    if args.new:
        try:
            existed = forget_ca(files)
        except OSError as exc:
            raise CliError("tls.unwritable", path=files.folder, reason=os_reason(exc)) from None
        print(tr("tls.forgotten" if existed else "tls.none_to_forget"))
        return 0
    try:
        data = files.ca.read_bytes()
    except FileNotFoundError:
        raise CliError("tls.no_ca") from None
    except OSError as exc:  # the service's home, read by another account: sudo
        raise CliError("tls.unreadable", path=files.ca, reason=os_reason(exc)) from None
    try:
        ca = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise CliError("tls.ca_unreadable", path=files.ca) from None
    out = Path(args.out) if args.out else Path(DEFAULT_OUT)
    pem = ca.public_bytes(serialization.Encoding.PEM)
    try:
        if out.exists() and out.read_bytes() != pem:
            raise CliError("tls.file_exists", path=out)
        out.write_bytes(pem)  # a public certificate: the workstations copy it
    except OSError as exc:
        raise CliError("tls.unwritable", path=out, reason=os_reason(exc)) from None
    sha256 = fingerprint(ca)
    limits = permitted_names(ca)
    print(tr("tls.ca_title", subject=ca.subject.rfc4514_string()))
    print(tr("tls.ca_until", date=ca.not_valid_after_utc.date().isoformat()))
    print(tr("tls.ca_names", names=", ".join(limits.all()) or "-"))
    print(tr("tls.sha256", fingerprint=sha256))
    print(tr("tls.sha1", fingerprint=fingerprint(ca, hashes.SHA1())))  # noqa: S303
    print()
    from .. import qr  # qrcode: loaded here only

    for line in qr.stdout_lines(f"SHA256:{sha256}"):
        print(line)
    print()
    print(tr("tls.written", path=out.resolve()))
    print(tr("tls.compare"))
    return 0


CA = Command("ca", "help.tls_ca", cmd_ca, _arguments)
AC = Command("ac", "help.tls_ac", cmd_ca, _arguments)
