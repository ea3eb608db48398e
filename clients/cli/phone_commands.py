"""``releve pair call`` and ``releve pair join``: pairing by phone with a short code.

The caller's node allocates a code on a relay and keeps its rendezvous open; this command
shows the code to read aloud, then waits for the result (Ctrl-C cancels the call on the
node). The other side types the code; its node runs the whole exchange before it answers.
"""

from __future__ import annotations

import argparse
import sys

from node.paths import HomeLayout

from .api import ApiClient, JsonObject
from .display import clean, fmt_time, format_contact, role_name
from .errors import CliError
from .i18n import has_key, t

POLL_SECONDS = 30  # each long poll of the call's state
_BOX = "┌─┐│└┘"


def _say(text: str = "") -> None:
    # stdout may be a pipe (a script, a test): the code must show before we wait.
    print(text, flush=True)


def spoken(code: str) -> str:
    """The code as it is read aloud: the number digit by digit, then the words."""
    digits = t("phone.digits").split()
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


def _show_contact(contact: JsonObject, key: str) -> None:
    _say(t(key, name=clean(contact.get("name")), role=role_name(contact.get("role"))))
    for line in format_contact(contact)[1:]:
        _say("  " + line)
    _say(t("pair.compare_hint"))


def cmd_pair_call(args: argparse.Namespace, layout: HomeLayout) -> int:
    client = ApiClient.from_home(layout)
    call = client.phone_call(args.relay)
    call_id, code = call.get("call_id"), call.get("code")
    if not isinstance(call_id, str) or not isinstance(code, str):
        raise CliError("error.bad_response")
    _say(t("phone.call_header"))
    _say()
    for line in boxed(clean(code)):
        _say(line)
    _say()
    _say(t("phone.read_aloud", spoken=clean(spoken(code))))
    _say(t("phone.join_command", code=clean(code)))
    _say(t("phone.once", expires=fmt_time(call.get("expires_at")), relay=clean(call.get("relay"))))
    _say(t("phone.waiting"))
    try:
        return _wait(client, call_id, bool(call.get("peer_joined")))
    except KeyboardInterrupt:
        # Ctrl-C: the node gives the code up at once, so that no one can use it any more.
        try:
            client.phone_call_cancel(call_id)
        except CliError:
            pass
        print(t("phone.cancelled"), file=sys.stderr)
        raise


def _wait(client: ApiClient, call_id: str, joined: bool) -> int:
    while True:
        state = client.phone_call_state(call_id, POLL_SECONDS)
        if state.get("peer_joined") and not joined:
            joined = True
            _say(t("phone.peer_joined"))
        if state.get("state") == "paired":
            contact = state.get("contact")
            if not isinstance(contact, dict):
                raise CliError("error.bad_response")
            _show_contact(contact, "phone.paired")
            return 0
        if state.get("state") == "failed":
            reason = state.get("reason")
            raise CliError(f"api.{reason}" if _known(reason) else "api.pairing_failed")
        if state.get("state") != "waiting":
            raise CliError("error.bad_response")


def _known(reason: object) -> bool:
    return isinstance(reason, str) and has_key(f"api.{reason}")


def cmd_pair_join(args: argparse.Namespace, layout: HomeLayout) -> int:
    code = " ".join(args.code).strip()
    if not code:
        raise CliError("api.code_invalid")
    client = ApiClient.from_home(layout)
    _say(t("phone.joining"))
    answer = client.phone_join(code, args.relay)
    contact = answer.get("contact")
    if not isinstance(contact, dict):
        raise CliError("error.bad_response")
    _show_contact(contact, "pair.accepted")
    if answer.get("confirmed") is False:
        _say(t("phone.unconfirmed"))
    return 0
