"""``releve verify-print IMAGE``: a photo of a printed prescription, checked.

The QR code(s) are read here (zxing-cpp on the photo), then handed to the node
(``POST /v1/prescriptions/verify``), which checks the signature with the key the code carries
and says what it knows of that key: a verified contact, an unverified one, ourselves, or
nobody. The check proves what the code holds was signed; it does not read the printed text,
so the verified content is printed here for the person to compare with the page.

Exit code 0 only when the signature is valid, the key is ours or a verified contact's, and the
prescriber named is the one on that contact's card; 1 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import qr
from ..api import ApiClient, JsonObject
from ..clinical_view import INDENT, body_lines
from ..command import Command, Context
from ..errors import EXIT_ERROR, CliError
from ..i18n import Translator
from ..text import clean

# What starts a printed prescription's code (node.protocol.printed.PREFIX; the CLI does not
# import the protocol package).
CODE_PREFIX = "RX1:"


def cmd_verify_print(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    path = Path(args.image)
    texts = qr.read_qr_texts(path)  # before the node is asked: a bad photo is the usual failure
    if not texts:
        raise CliError("error.image_no_code", path=path)
    codes = sorted({text for text in texts if text.startswith(CODE_PREFIX)})
    if not codes:
        raise CliError("error.image_not_prescription", path=path)
    result = ApiClient.from_home(ctx.layout).verify_print(codes)
    lines, trusted = report_lines(tr, result)
    for line in lines:
        print(line)
    return 0 if trusted else EXIT_ERROR


def _object(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def report_lines(tr: Translator, result: JsonObject) -> tuple[list[str], bool]:
    """What the check says, and whether the prescription can be relied on as signed by a
    verified contact (or by this node)."""
    signer = _object(result.get("signer"))
    contact = signer.get("contact")
    prescription = _object(result.get("prescription"))
    prescriber = _object(prescription.get("prescriber"))
    lines = [tr("verify_print.valid")]
    if prescriber:
        lines.append(
            tr(
                "verify_print.prescriber",
                name=clean(prescriber.get("name")),
                rpps=clean(prescriber.get("rpps")),
            )
        )
    node_id = clean(signer.get("node_id"))
    trusted = False
    if signer.get("ours") is True:
        lines.append(tr("verify_print.key_ours", node_id=node_id))
        trusted = True
    elif isinstance(contact, dict) and contact.get("verified") is True:
        lines.append(
            tr("verify_print.key_verified", name=clean(contact.get("name")), node_id=node_id)
        )
        trusted = True
    elif isinstance(contact, dict):
        lines.append(
            tr("verify_print.key_unverified", name=clean(contact.get("name")), node_id=node_id)
        )
    else:
        lines.append(tr("verify_print.key_unknown", node_id=node_id))
    if signer.get("card_matches") is False:
        lines.append(tr("verify_print.card_mismatch"))
        trusted = False
    recipient = _object(result.get("recipient"))
    if recipient.get("ours") is True:
        lines.append(tr("verify_print.to_us"))
    elif recipient.get("name"):
        lines.append(tr("verify_print.to_contact", name=clean(recipient.get("name"))))
    else:
        lines.append(tr("verify_print.to_other", node_id=clean(recipient.get("node_id"))))
    stored = clean(result.get("stored"))
    lines.append(
        tr(f"verify_print.stored_{stored}", message_id=clean(result.get("message_id")))
        if stored in ("same", "different", "absent")
        else clean(stored)
    )
    message = {
        "kind": result.get("kind"),
        "prescription": result.get("prescription"),
        "cancellation": result.get("cancellation"),
        "lifecycle": result.get("lifecycle"),
        "reply_to": result.get("reply_to"),
    }
    lines.extend(["", tr("verify_print.content_heading")])
    lines.extend(INDENT + line if line else "" for line in body_lines(tr, message))
    lines.extend(["", tr("verify_print.what_it_proves")])
    return lines, trusted


def _arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("image", metavar=tr("metavar.file"), help=tr("help.verify_print_image"))


VERIFY_PRINT = Command("verify-print", "help.verify_print", cmd_verify_print, _arguments)
