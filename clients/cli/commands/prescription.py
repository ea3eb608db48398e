"""``releve prescription cancel|amend|dispense``: what happens to a prescription once sent
(docs/local-api.md, "Prescriptions"; docs/guide/prescription.md).

The prescriber cancels (a signed "ne pas délivrer") or amends (a new signed prescription that
replaces it); the pharmacist reports what was dispensed, and whether they confirmed it with
the prescriber by phone. The original then reads ANNULÉE / REMPLACÉE everywhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..api import ApiClient, JsonObject
from ..arguments import message_id_argument
from ..command import Command, Context
from ..files import read_json_object
from ..i18n import Translator
from ..message_ids import resolve_message_id
from ..text import clean

DISPENSING_STATES = {"dispensed": "dispensed", "partly": "partly_dispensed", "refused": "refused"}


def _done(ctx: Context, key: str, message: JsonObject) -> int:
    print(
        ctx.tr(
            key,
            message_id=clean(message.get("message_id")),
            name=clean(message.get("contact_name")),
        )
    )
    return 0


def cmd_cancel(args: argparse.Namespace, ctx: Context) -> int:
    client = ApiClient.from_home(ctx.layout)
    message_id = resolve_message_id(client, args.message_id)
    message = client.prescription_action(message_id, "cancel", {"reason": args.reason})
    return _done(ctx, "prescription.cancelled", message)


def cmd_amend(args: argparse.Namespace, ctx: Context) -> int:
    client = ApiClient.from_home(ctx.layout)
    message_id = resolve_message_id(client, args.message_id)
    form = read_json_object(Path(args.from_json))
    body: JsonObject = {"prescription": form, "priority": "urgent" if args.urgent else "normal"}
    message = client.prescription_action(message_id, "amend", body)
    return _done(ctx, "prescription.amended", message)


def cmd_dispense(args: argparse.Namespace, ctx: Context) -> int:
    client = ApiClient.from_home(ctx.layout)
    message_id = resolve_message_id(client, args.message_id)
    body: JsonObject = {
        "state": DISPENSING_STATES[args.state],
        "note": args.note,
        "confirmed_by_phone": args.confirmed_by_phone,
    }
    message = client.prescription_action(message_id, "dispense", body)
    return _done(ctx, "prescription.dispensed", message)


def _cancel_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    message_id_argument(parser, tr)
    parser.add_argument(
        "--reason", required=True, metavar=tr("metavar.reason"), help=tr("help.cancel_reason")
    )


def _amend_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    message_id_argument(parser, tr)
    parser.add_argument(
        "--from-json", required=True, metavar=tr("metavar.file"), help=tr("help.amend_json")
    )
    parser.add_argument("--urgent", action="store_true", help=tr("help.urgent"))


def _dispense_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    message_id_argument(parser, tr)
    parser.add_argument(
        "--state", required=True, choices=sorted(DISPENSING_STATES), help=tr("help.dispense_state")
    )
    parser.add_argument("--note", metavar=tr("metavar.reason"), help=tr("help.dispense_note"))
    parser.add_argument(
        "--confirmed-by-phone", action="store_true", help=tr("help.confirmed_by_phone")
    )


CANCEL = Command("cancel", "help.prescription_cancel", cmd_cancel, _cancel_arguments)
AMEND = Command("amend", "help.prescription_amend", cmd_amend, _amend_arguments)
DISPENSE = Command("dispense", "help.prescription_dispense", cmd_dispense, _dispense_arguments)
