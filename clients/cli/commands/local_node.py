"""`releve init` and `releve node`: the commands that run the node's own code in-process.

The node's code (node.setup, node.daemon, its errors) and the terminal's (getpass, signal,
threading) are imported where they are used only, so that every other command starts without
them: this module is loaded at each start, to declare its commands.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from ..arguments import role
from ..command import Command, Context
from ..errors import EXIT_INTERRUPTED, CliError
from ..i18n import Translator, has_key
from ..os_errors import os_reason
from ..text import role_name

if TYPE_CHECKING:
    from node.core.errors import NodeError


def read_passphrase_file(path: str) -> bytes:
    """The passphrase in ``path``: its bytes without one trailing newline; never empty."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CliError("error.passphrase_file", path=path, reason=os_reason(exc)) from None
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    if not data:
        raise CliError("error.passphrase_empty", path=path)
    return normalise_passphrase(data)


def normalise_passphrase(data: bytes) -> bytes:
    """NFC, so that "é" typed at a prompt and "é" saved in a file are the same passphrase."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return unicodedata.normalize("NFC", text).encode("utf-8")


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def prompt_new_passphrase(tr: Translator) -> bytes:
    import getpass

    first = getpass.getpass(tr("prompt.new_passphrase"))
    if not first:
        raise CliError("error.passphrase_empty_prompt")
    second = getpass.getpass(tr("prompt.repeat_passphrase"))
    if first != second:
        raise CliError("error.passphrase_mismatch")
    return normalise_passphrase(first.encode("utf-8"))


def prompt_passphrase(tr: Translator) -> bytes:
    import getpass

    entered = getpass.getpass(tr("prompt.passphrase"))
    if not entered:
        raise CliError("error.passphrase_empty_prompt")
    return normalise_passphrase(entered.encode("utf-8"))


def restore_interrupt() -> None:
    """Lets Ctrl-C (SIGINT) interrupt this process even if it was started with SIGINT ignored.

    A shell ignores SIGINT in the commands it starts in the background (`releve node &`), and
    the node would then not stop on SIGINT until its event loop takes the signal over.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _setup_failure(exc: NodeError) -> CliError:
    key = f"setup.{exc.code}"
    if has_key(key):
        return CliError(key, detail=str(exc))
    return CliError("setup.unknown", code=exc.code, detail=str(exc))


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    layout, tr = ctx.layout, ctx.tr
    if args.unattended:
        passphrase = None
    elif args.passphrase_file is not None:
        passphrase = read_passphrase_file(args.passphrase_file)
    elif _stdin_is_tty():
        passphrase = prompt_new_passphrase(tr)
    else:
        raise CliError("error.passphrase_needed")

    from node.core.errors import NodeError  # lazily: see the module docstring
    from node.setup import init_home

    try:
        prescriber = {
            "name": args.prescriber_name,
            "rpps": args.rpps,
            "specialty": args.specialty,
            "address": args.address,
            "email": args.email,
        }
        result = init_home(layout, args.name, args.role, passphrase, args.phone, prescriber)
    except NodeError as exc:
        raise _setup_failure(exc) from None
    print(tr("init.done", home=layout.root, name=args.name, role=role_name(tr, args.role)))
    print(tr("init.node_id", node_id=result.node_id))
    if result.unattended:
        print(tr("init.unattended_warning", key_file=layout.key_file))
    print(tr("init.next", home_option=_home_option(args)))
    return 0


def _home_option(args: argparse.Namespace) -> str:
    return f"--home {args.home} " if args.home else ""


def cmd_node(args: argparse.Namespace, ctx: Context) -> int:
    layout, tr = ctx.layout, ctx.tr
    restore_interrupt()
    passphrase = (
        read_passphrase_file(args.passphrase_file) if args.passphrase_file is not None else None
    )

    from node.core.errors import NodeError  # lazily: see the module docstring
    from node.daemon import run

    def start(passphrase: bytes | None) -> int:
        return int(
            run(
                layout,
                listen=args.listen,
                no_listen=args.no_listen,
                relays=list(args.relay),
                passphrase=passphrase,
                web={
                    "web_listen": args.web_listen,
                    "web_names": args.web_name,
                    "web_tls": args.web_tls,
                    "tls_cert": args.tls_cert,
                    "tls_key": args.tls_key,
                },
            )
        )

    print(tr("node.starting", home=layout.root), file=sys.stderr)
    try:
        try:
            return start(passphrase)
        except NodeError as exc:
            # A protected home started from a terminal: ask once, then start again.
            if exc.code != "passphrase_required" or passphrase is not None or not _stdin_is_tty():
                raise
        return start(prompt_passphrase(tr))
    except NodeError as exc:
        raise _setup_failure(exc) from None
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _init_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--name", required=True, metavar=tr("metavar.name"), help=tr("help.name"))
    parser.add_argument(
        "--role", type=role(tr), default="other", metavar=tr("metavar.role"), help=tr("help.role")
    )
    parser.add_argument("--phone", default="", metavar=tr("metavar.phone"), help=tr("help.phone"))
    # The prescriber's profile (gp, specialist): written to config.toml's [prescriber].
    for option, key in (
        ("--prescriber-name", "prescriber_name"),
        ("--rpps", "rpps"),
        ("--specialty", "specialty"),
        ("--address", "address"),
        ("--email", "email"),
    ):
        parser.add_argument(
            option, default="", metavar=tr(f"metavar.{key}"), help=tr(f"help.{key}")
        )
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument(
        "--passphrase-file", metavar=tr("metavar.file"), help=tr("help.passphrase_file_init")
    )
    secret.add_argument("--unattended", action="store_true", help=tr("help.unattended"))


def _node_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    listen = parser.add_mutually_exclusive_group()
    listen.add_argument("--listen", metavar=tr("metavar.host_port"), help=tr("help.listen"))
    listen.add_argument("--no-listen", action="store_true", help=tr("help.no_listen"))
    parser.add_argument(
        "--relay", action="append", default=[], metavar="URL", help=tr("help.relay")
    )
    parser.add_argument(
        "--passphrase-file", metavar=tr("metavar.file"), help=tr("help.passphrase_file_node")
    )
    # The web client on a clinic server's LAN (issue #15), over TLS.
    parser.add_argument("--web-listen", metavar=tr("metavar.host_port"), help=tr("help.web_listen"))
    parser.add_argument(
        "--web-name",
        action="append",
        default=[],
        metavar=tr("metavar.web_name"),
        help=tr("help.web_name"),
    )
    parser.add_argument("--web-tls", choices=("auto", "ca", "off"), help=tr("help.web_tls"))
    parser.add_argument("--tls-cert", metavar=tr("metavar.file"), help=tr("help.tls_cert"))
    parser.add_argument("--tls-key", metavar=tr("metavar.file"), help=tr("help.tls_key"))


INIT = Command("init", "help.init", cmd_init, _init_arguments)
NODE = Command("node", "help.node", cmd_node, _node_arguments)
