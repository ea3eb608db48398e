"""`releve`: the command-line client of a Relève node.

Global options come before the command. Exit codes: 0 success, 1 an error the user can act on
(printed translated on stderr; also a tampered audit log), 2 a command-line usage error, 3 no node
running, 130 interrupted (Ctrl-C; a file transfer continues in the node).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

from node.paths import HomeLayout, resolve_home

from .errors import EXIT_INTERRUPTED, EXIT_USAGE, CliError, UsageError
from .i18n import LANGUAGES, choose_language, language, set_language, t
from .roles import ROLE_ALIASES, ROLE_CODES, parse_role

Handler = Callable[[argparse.Namespace, HomeLayout], int]

MAX_TTL_MINUTES = 43200
MAX_WAIT_SECONDS = 300


class _Formatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(
            usage, actions, groups, t("help.usage_prefix") if prefix is None else prefix
        )


class _Parser(argparse.ArgumentParser):
    """argparse with the catalog's words for its headings and its error line."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(formatter_class=_Formatter, add_help=False, allow_abbrev=False, **kwargs)
        self._positionals.title = t("help.positionals")
        self._optionals.title = t("help.options")
        self.add_argument("-h", "--help", action="help", help=t("help.help"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, t("help.usage_error", prog=self.prog, message=message) + "\n")


def _role(value: str) -> str:
    code = parse_role(value)
    if code is None:
        accepted = ", ".join([*ROLE_CODES, *sorted(ROLE_ALIASES)])
        raise argparse.ArgumentTypeError(t("help.bad_role", role=value, accepted=accepted))
    return code


def _int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(t("help.bad_range", value=value, low=low, high=high))
        return number

    return parse


def _day(value: str) -> str:
    from .record_commands import parse_day

    return parse_day(value)


def _handler(name: str) -> Handler:
    """Looks a handler up when it runs, so that parsing imports no command module."""

    def run(args: argparse.Namespace, layout: HomeLayout) -> int:
        if name == "demo":
            from .demo import run_demo

            return run_demo(language())
        if name in ("init", "node"):
            from . import node_commands

            handler: Handler = getattr(node_commands, f"cmd_{name}")
        elif name == "relay":
            from .relay_command import cmd_relay

            handler = cmd_relay
        elif name in ("pair_call", "pair_join"):
            from . import phone_commands

            handler = getattr(phone_commands, f"cmd_{name}")
        elif name in ("verify", "unpair", "revoke"):
            from . import trust_commands

            handler = getattr(trust_commands, f"cmd_{name}")
        elif name in ("send", "show", "ack"):
            from . import clinical_commands

            handler = getattr(clinical_commands, f"cmd_{name}")
        elif name == "save":
            from .file_commands import cmd_save

            handler = cmd_save
        elif name in ("print", "export", "audit_verify", "audit_export"):
            from . import record_commands

            handler = getattr(record_commands, f"cmd_{name}")
        else:
            from . import commands

            handler = getattr(commands, f"cmd_{name}")
        return handler(args, layout)

    return run


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with help texts in the current language."""
    parser = _Parser(prog="releve", description=t("help.description"), epilog=t("help.epilog"))
    parser.add_argument("--home", metavar=t("metavar.dir"), help=t("help.home"))
    parser.add_argument("--lang", choices=LANGUAGES, help=t("help.lang"))
    commands = parser.add_subparsers(
        dest="command", title=t("help.commands"), metavar=t("metavar.command")
    )

    def command(
        parent: argparse._SubParsersAction[_Parser], name: str, key: str
    ) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=t(key), description=t(key))
        sub.set_defaults(handler=_handler(name))
        return sub

    init = command(commands, "init", "help.init")
    init.add_argument("--name", required=True, metavar=t("metavar.name"), help=t("help.name"))
    init.add_argument(
        "--role", type=_role, default="other", metavar=t("metavar.role"), help=t("help.role")
    )
    init.add_argument("--phone", default="", metavar=t("metavar.phone"), help=t("help.phone"))
    secret = init.add_mutually_exclusive_group()
    secret.add_argument(
        "--passphrase-file", metavar=t("metavar.file"), help=t("help.passphrase_file_init")
    )
    secret.add_argument("--unattended", action="store_true", help=t("help.unattended"))

    node = command(commands, "node", "help.node")
    listen = node.add_mutually_exclusive_group()
    listen.add_argument("--listen", metavar=t("metavar.host_port"), help=t("help.listen"))
    listen.add_argument("--no-listen", action="store_true", help=t("help.no_listen"))
    node.add_argument("--relay", action="append", default=[], metavar="URL", help=t("help.relay"))
    node.add_argument(
        "--passphrase-file", metavar=t("metavar.file"), help=t("help.passphrase_file_node")
    )

    verify = command(commands, "verify", "help.verify")
    verify.add_argument("contact", metavar=t("metavar.contact"), help=t("help.contact"))
    verify.add_argument("--confirm", action="store_true", help=t("help.confirm"))

    unpair = command(commands, "unpair", "help.unpair")
    unpair.add_argument("contact", metavar=t("metavar.contact"), help=t("help.contact"))

    revoke = command(commands, "revoke", "help.revoke")
    revoke.add_argument("--yes", action="store_true", help=t("help.yes"))

    relay = command(commands, "relay", "help.relay_command")
    relay.add_argument("--listen", metavar=t("metavar.host_port"), help=t("help.relay_listen"))

    status = command(commands, "status", "help.status")
    status.add_argument("--json", action="store_true", help=t("help.json"))

    pair = commands.add_parser("pair", help=t("help.pair"), description=t("help.pair"))
    pair_commands = pair.add_subparsers(
        dest="pair_command", title=t("help.commands"), metavar=t("metavar.command")
    )
    pair_commands.required = True
    invite = pair_commands.add_parser(
        "invite", help=t("help.pair_invite"), description=t("help.pair_invite")
    )
    invite.set_defaults(handler=_handler("pair_invite"))
    invite.add_argument("--png", metavar=t("metavar.file"), help=t("help.png"))
    invite.add_argument("--svg", metavar=t("metavar.file"), help=t("help.svg"))
    invite.add_argument("--print", metavar=t("metavar.file"), help=t("help.print"))
    invite.add_argument(
        "--ttl",
        type=_int_range(1, MAX_TTL_MINUTES),
        metavar=t("metavar.minutes"),
        help=t("help.ttl"),
    )
    accept = pair_commands.add_parser(
        "accept", help=t("help.pair_accept"), description=t("help.pair_accept")
    )
    accept.set_defaults(handler=_handler("pair_accept"))
    accept_source = accept.add_mutually_exclusive_group(required=True)
    accept_source.add_argument(
        "text", nargs="?", metavar=t("metavar.text"), help=t("help.invitation_text")
    )
    accept_source.add_argument("--image", metavar=t("metavar.file"), help=t("help.image"))
    call = pair_commands.add_parser(
        "call", help=t("help.pair_call"), description=t("help.pair_call")
    )
    call.set_defaults(handler=_handler("pair_call"))
    call.add_argument("--relay", metavar="URL", help=t("help.phone_relay"))
    join = pair_commands.add_parser(
        "join", help=t("help.pair_join"), description=t("help.pair_join")
    )
    join.set_defaults(handler=_handler("pair_join"))
    join.add_argument("code", nargs="+", metavar=t("metavar.code"), help=t("help.phone_code"))
    join.add_argument("--relay", metavar="URL", help=t("help.phone_relay"))

    contacts = command(commands, "contacts", "help.contacts")
    contacts.add_argument("--json", action="store_true", help=t("help.json"))

    send = command(commands, "send", "help.send")
    send.add_argument("contact", metavar=t("metavar.contact"), help=t("help.contact"))
    send.add_argument(
        "text", nargs="?", metavar=t("metavar.text"), help=t("help.message_text_optional")
    )
    what = send.add_mutually_exclusive_group()
    what.add_argument("--handoff", action="store_true", help=t("help.handoff"))
    what.add_argument("--prescription", action="store_true", help=t("help.prescription"))
    what.add_argument("--file", metavar=t("metavar.file"), help=t("help.file"))
    send.add_argument("--from-json", metavar=t("metavar.file"), help=t("help.from_json"))
    send.add_argument("--urgent", action="store_true", help=t("help.urgent"))
    send.add_argument("--reply-to", metavar=t("metavar.message_id"), help=t("help.reply_to"))
    send.add_argument("--caption", metavar=t("metavar.text"), help=t("help.caption"))
    send.add_argument("--no-wait", action="store_true", help=t("help.no_wait"))

    show = command(commands, "show", "help.show")
    show.add_argument("message_id", metavar=t("metavar.message_id"), help=t("help.message_id"))

    ack = command(commands, "ack", "help.ack")
    ack.add_argument("message_id", metavar=t("metavar.message_id"), help=t("help.message_id"))

    save = command(commands, "save", "help.save")
    save.add_argument("message_id", metavar=t("metavar.message_id"), help=t("help.message_id"))
    save.add_argument("dir", metavar=t("metavar.folder"), help=t("help.save_dir"))

    print_ = command(commands, "print", "help.print_message")
    print_.add_argument(
        "message_id", nargs="?", metavar=t("metavar.message_id"), help=t("help.message_id")
    )
    print_.add_argument("--conversation", metavar=t("metavar.contact"), help=t("help.conversation"))
    print_.add_argument("--out", metavar=t("metavar.file"), help=t("help.print_out"))

    export = command(commands, "export", "help.export")
    export.add_argument("--patient", metavar=t("metavar.text"), help=t("help.patient"))
    export.add_argument("--since", type=_day, metavar=t("metavar.date"), help=t("help.since"))
    export.add_argument("--out", metavar=t("metavar.file"), help=t("help.export_out"))

    audit = commands.add_parser("audit", help=t("help.audit"), description=t("help.audit"))
    audit_commands = audit.add_subparsers(
        dest="audit_command", title=t("help.commands"), metavar=t("metavar.command")
    )
    audit_commands.required = True
    audit_verify = audit_commands.add_parser(
        "verify", help=t("help.audit_verify"), description=t("help.audit_verify")
    )
    audit_verify.set_defaults(handler=_handler("audit_verify"))
    audit_export = audit_commands.add_parser(
        "export", help=t("help.audit_export"), description=t("help.audit_export")
    )
    audit_export.set_defaults(handler=_handler("audit_export"))
    audit_export.add_argument("--out", metavar=t("metavar.file"), help=t("help.audit_out"))

    inbox = command(commands, "inbox", "help.inbox")
    inbox.add_argument("--json", action="store_true", help=t("help.json"))
    inbox.add_argument(
        "--wait",
        type=_int_range(0, MAX_WAIT_SECONDS),
        metavar=t("metavar.seconds"),
        help=t("help.wait"),
    )

    read = command(commands, "read", "help.read")
    read.add_argument("message_id", metavar=t("metavar.message_id"), help=t("help.message_id"))

    command(commands, "demo", "help.demo")
    return parser


def _early_language(argv: Sequence[str]) -> str | None:
    """--lang among the global options, read before the parser is built (its help is translated)."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--lang":
            return argv[index + 1] if index + 1 < len(argv) else None
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--home":
            index += 2
            continue
        if not arg.startswith("-"):
            return None  # the command: options after it are the command's own
        index += 1
    return None


def _tolerant_output() -> None:
    """Prints with replacement characters rather than failing on a non-UTF-8 console."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    _tolerant_output()
    set_language(choose_language(_early_language(arguments), os.environ))
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    layout = HomeLayout(resolve_home(args.home))
    handler: Handler = args.handler
    try:
        return handler(args, layout)
    except UsageError as exc:
        # Worded as argparse's own usage errors: the command, then what is wrong.
        prog = f"releve {args.command}"
        print(t("help.usage_error", prog=prog, message=t(exc.key, **exc.values)), file=sys.stderr)
        return exc.exit_code
    except CliError as exc:
        print(t("error.prefix", message=t(exc.key, **exc.values)), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`releve inbox | head`): nothing more to say, to anyone.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
