"""``releve user ...`` (French: ``releve utilisateur ...``): a clinic server's people, managed by
its operator over the local API (issue #15; docs/local-api.md, "Users"; docs/operations.md,
"Serveur de cabinet / Clinic server").

``add NAME --role clinician|secretary|admin [--rpps N]``, ``list``, ``disable NAME``,
``enable NAME``, ``reset NAME``, ``end-session HANDLE``, ``actions NAME [--limit N]`` (what
the person did, from the audit log). No password is ever typed here: a
new or reset user gets a one-time link (and its code) to choose their own in the browser.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

from ..api import ApiClient, JsonObject
from ..arguments import json_option
from ..command import Command, Context
from ..i18n import Translator
from ..text import clean, dump_json, fmt_time

# The roles, with their French names accepted too.
ROLES: Final = {
    "clinician": "clinician",
    "soignant": "clinician",
    "secretary": "secretary",
    "secretariat": "secretary",
    "secrétariat": "secretary",
    "admin": "admin",
}


def _name(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("user", metavar=tr("metavar.person"), help=tr("help.user_name"))
    json_option(parser, tr)


def _add_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("name", metavar=tr("metavar.person"), help=tr("help.user_new_name"))
    parser.add_argument(
        "--role", required=True, choices=sorted(ROLES), metavar="ROLE", help=tr("help.user_role")
    )
    parser.add_argument("--rpps", metavar="RPPS", help=tr("help.user_rpps"))
    json_option(parser, tr)


def _handle_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("handle", metavar="SESSION", help=tr("help.user_session_handle"))
    json_option(parser, tr)


def _path(user: str, tail: str = "") -> str:
    import urllib.parse

    return "/v1/users/" + urllib.parse.quote(user, safe="") + tail


def _user_name(answer: JsonObject) -> str:
    """The name of the person an answer is about (its "user"), cleaned for the terminal."""
    user = answer.get("user")
    return clean(user.get("name") if isinstance(user, dict) else "?")


def user_lines(tr: Translator, user: JsonObject) -> list[str]:
    """One person: name, role, state; then their open web sessions."""
    tags = [tr(f"user.role.{user.get('role')}")]
    if user.get("rpps"):
        tags.append(f"RPPS {clean(user['rpps'])}")
    if user.get("disabled"):
        tags.append(tr("user.disabled"))
    elif not user.get("password_set"):
        tags.append(tr("user.waiting"))
    lines = [
        f"{clean(user.get('name', '?'))} ({', '.join(tags)}) — {clean(user.get('account_id'))}"
    ]
    sessions: list[Any] = user.get("sessions") or []
    for session in sessions:
        if isinstance(session, dict):
            lines.append(
                "  "
                + tr(
                    "user.session",
                    handle=clean(session.get("handle")),
                    address=clean(session.get("address")),
                    since=fmt_time(tr, session.get("created_at")),
                    seen=fmt_time(tr, session.get("seen_at")),
                )
            )
    return lines


def _setup(tr: Translator, answer: JsonObject) -> None:
    setup = answer.get("setup")
    user = answer.get("user")
    if not isinstance(setup, dict) or not isinstance(user, dict):
        return
    name = clean(user.get("name", "?"))
    print(tr("user.setup", name=name, until=fmt_time(tr, setup.get("expires_at"))))
    if setup.get("url"):
        print("  " + clean(setup["url"]))
    print("  " + tr("user.setup_code", code=clean(setup.get("code"))))
    if not answer.get("clinic_server", True):
        print(tr("user.not_clinic_server"))


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    response = ApiClient.from_home(ctx.layout).request("GET", "/v1/users")
    if args.json:
        print(dump_json(response))
        return 0
    if not response.get("clinic_server"):
        print(ctx.tr("user.not_clinic_server"))
    users = response.get("users") or []
    if not users:
        print(ctx.tr("user.none"))
        return 0
    for user in users:
        if isinstance(user, dict):
            for line in user_lines(ctx.tr, user):
                print(line)
    return 0


def cmd_add(args: argparse.Namespace, ctx: Context) -> int:
    body: JsonObject = {"name": args.name, "role": ROLES[args.role]}
    if args.rpps:
        body["rpps"] = args.rpps
    answer = ApiClient.from_home(ctx.layout).request("POST", "/v1/users", body)
    if args.json:
        print(dump_json(answer))
        return 0
    print(ctx.tr("user.added", name=_user_name(answer)))
    _setup(ctx.tr, answer)
    return 0


def _change(args: argparse.Namespace, ctx: Context, action: str, key: str) -> int:
    answer = ApiClient.from_home(ctx.layout).request("POST", _path(args.user, f"/{action}"), {})
    if args.json:
        print(dump_json(answer))
        return 0
    print(ctx.tr(key, name=_user_name(answer)))
    if action == "reset":
        _setup(ctx.tr, answer)
    return 0


def cmd_disable(args: argparse.Namespace, ctx: Context) -> int:
    return _change(args, ctx, "disable", "user.disabled_now")


def cmd_enable(args: argparse.Namespace, ctx: Context) -> int:
    return _change(args, ctx, "enable", "user.enabled_now")


def cmd_reset(args: argparse.Namespace, ctx: Context) -> int:
    return _change(args, ctx, "reset", "user.reset_now")


def _actions_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("user", metavar=tr("metavar.person"), help=tr("help.user_name"))
    parser.add_argument("--limit", type=int, default=200, metavar="N", help=tr("help.user_limit"))
    json_option(parser, tr)


def cmd_actions(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    path = _path(args.user, f"/actions?limit={max(1, min(args.limit, 10_000))}")
    answer = ApiClient.from_home(ctx.layout).request("GET", path)
    if args.json:
        print(dump_json(answer))
        return 0
    actions: list[Any] = answer.get("actions") or []
    name = _user_name(answer)
    if not actions:
        print(tr("user.no_actions", name=name))
        return 0
    print(tr("user.actions", name=name))
    for action in actions:
        if not isinstance(action, dict):
            continue
        about = [clean(action[key])[:8] for key in ("contact", "message") if action.get(key)]
        line = f"  {fmt_time(tr, action.get('at'))}  {clean(action.get('event'))}"
        print(line + (f"  {' '.join(about)}" if about else ""))
    return 0


def cmd_end_session(args: argparse.Namespace, ctx: Context) -> int:
    import urllib.parse

    path = "/v1/web/sessions/" + urllib.parse.quote(args.handle, safe="")
    answer = ApiClient.from_home(ctx.layout).request("DELETE", path)
    if args.json:
        print(dump_json(answer))
        return 0
    print(ctx.tr("user.session_ended", name=_user_name(answer)))
    return 0


ENGLISH = (
    Command("add", "help.user_add", cmd_add, _add_arguments),
    Command("list", "help.user_list", cmd_list, json_option),
    Command("disable", "help.user_disable", cmd_disable, _name),
    Command("enable", "help.user_enable", cmd_enable, _name),
    Command("reset", "help.user_reset", cmd_reset, _name),
    Command("end-session", "help.user_end_session", cmd_end_session, _handle_arguments),
    Command("actions", "help.user_actions", cmd_actions, _actions_arguments),
)
# French: releve utilisateur ajouter | liste | desactiver | reactiver | reinitialiser |
# fermer-session | actions
FRENCH = (
    Command("ajouter", "help.user_add", cmd_add, _add_arguments),
    Command("liste", "help.user_list", cmd_list, json_option),
    Command("desactiver", "help.user_disable", cmd_disable, _name),
    Command("reactiver", "help.user_enable", cmd_enable, _name),
    Command("reinitialiser", "help.user_reset", cmd_reset, _name),
    Command("fermer-session", "help.user_end_session", cmd_end_session, _handle_arguments),
    Command("actions", "help.user_actions", cmd_actions, _actions_arguments),
)
