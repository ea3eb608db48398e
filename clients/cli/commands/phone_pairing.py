"""``releve pair call`` and ``releve pair join``: pairing by phone with a short code.

The caller's node allocates a code on a relay and keeps its rendezvous open; this command
shows the code to read aloud, then waits for the result (Ctrl-C cancels the call on the
node). The other side types the code; its node runs the whole exchange before it answers.
"""

from __future__ import annotations

import argparse
import sys

from ..api import ApiClient, JsonObject
from ..command import Command, Context
from ..display import format_contact
from ..errors import CliError
from ..i18n import Translator, has_key
from ..text import clean, fmt_time, role_name

POLL_SECONDS = 30  # each long poll of the call's state
_BOX = "┌─┐│└┘"


def _say(text: str = "") -> None:
    # stdout may be a pipe (a script, a test): the code must show before we wait.
    print(text, flush=True)


def spoken(tr: Translator, code: str) -> str:
    """The code as it is read aloud: the number digit by digit, then the words."""
    digits = tr("phone.digits").split()
    number, _, words = code.partition("-")
    parts = [digits[int(d)] if d.isdigit() else d for d in number]
    return ", ".join([*parts, *words.split("-")])


def boxed(code: str) -> list[str]:
    """The code, large and framed; plain ASCII when the terminal cannot show box lines."""
    text = "   " + code.replace("-", " - ") + "   "
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    box = _BOX
    try:
        box.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        box = "+-+|++"
    top_left, line, top_right, side, bottom_left, bottom_right = list(box)
    return [
        "    " + top_left + line * len(text) + top_right,
        "    " + side + " " * len(text) + side,
        "    " + side + text + side,
        "    " + side + " " * len(text) + side,
        "    " + bottom_left + line * len(text) + bottom_right,
    ]


def _show_contact(tr: Translator, contact: JsonObject, key: str) -> None:
    _say(tr(key, name=clean(contact.get("name")), role=role_name(tr, contact.get("role"))))
    for line in format_contact(tr, contact)[1:]:
        _say("  " + line)
    _say(tr("pair.compare_hint"))


def cmd_pair_call(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    client = ApiClient.from_home(ctx.layout)
    call = client.phone_call(args.relay)
    call_id, code = call.get("call_id"), call.get("code")
    if not isinstance(call_id, str) or not isinstance(code, str):
        raise CliError("error.bad_response")
    _say(tr("phone.call_header"))
    _say()
    for line in boxed(clean(code)):
        _say(line)
    _say()
    _say(tr("phone.read_aloud", spoken=clean(spoken(tr, code))))
    _say(tr("phone.join_command", code=clean(code)))
    _say(
        tr(
            "phone.once",
            expires=fmt_time(tr, call.get("expires_at")),
            relay=clean(call.get("relay")),
        )
    )
    _say(tr("phone.waiting"))
    try:
        return _wait(tr, client, call_id, bool(call.get("peer_joined")))
    except KeyboardInterrupt:
        # Ctrl-C: the node gives the code up at once, so that no one can use it any more.
        try:
            client.phone_call_cancel(call_id)
        except CliError:
            pass
        print(tr("phone.cancelled"), file=sys.stderr)
        raise


def _wait(tr: Translator, client: ApiClient, call_id: str, joined: bool) -> int:
    while True:
        state = client.phone_call_state(call_id, POLL_SECONDS)
        if state.get("peer_joined") and not joined:
            joined = True
            _say(tr("phone.peer_joined"))
        if state.get("state") == "paired":
            contact = state.get("contact")
            if not isinstance(contact, dict):
                raise CliError("error.bad_response")
            _show_contact(tr, contact, "phone.paired")
            return 0
        if state.get("state") == "failed":
            reason = state.get("reason")
            raise CliError(f"api.{reason}" if _known(reason) else "api.pairing_failed")
        if state.get("state") != "waiting":
            raise CliError("error.bad_response")


def _known(reason: object) -> bool:
    return isinstance(reason, str) and has_key(f"api.{reason}")


def cmd_pair_join(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    code = " ".join(args.code).strip()
    if not code:
        raise CliError("api.code_invalid")
    client = ApiClient.from_home(ctx.layout)
    _say(tr("phone.joining"))
    answer = client.phone_join(code, args.relay)
    contact = answer.get("contact")
    if not isinstance(contact, dict):
        raise CliError("error.bad_response")
    _show_contact(tr, contact, "pair.accepted")
    if answer.get("confirmed") is False:
        _say(tr("phone.unconfirmed"))
    return 0


def _relay_argument(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--relay", metavar="URL", help=tr("help.phone_relay"))


def _join_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("code", nargs="+", metavar=tr("metavar.code"), help=tr("help.phone_code"))
    _relay_argument(parser, tr)


PAIR_CALL = Command("call", "help.pair_call", cmd_pair_call, _relay_argument)
PAIR_JOIN = Command("join", "help.pair_join", cmd_pair_join, _join_arguments)
