"""`releve demo`: two nodes on this machine pair and exchange fictitious messages, narrated.

Everything happens in a temporary folder through the real command line and the local API:
`init --unattended` twice, two `node` processes on 127.0.0.1, a real invitation, a message, its
delivery and read receipts, a reply. Whatever happens (an error, a time-out, Ctrl-C, SIGTERM),
both nodes are stopped and the folder is deleted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Final, NamedTuple, TypeVar

from node.paths import HomeLayout

from .api import ApiClient, JsonObject
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, CliError
from .i18n import Translator
from .text import clean, fmt_clock, role_name, status_name

T = TypeVar("T")

GP_NAME = "Dr Camille Martin"
PHARMACY_NAME = "Pharmacie du Port"
INIT_TIMEOUT = 30.0
START_TIMEOUT = 20.0
STEP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.1
LOG_TAIL_LINES = 15
# The directory that holds the `clients` package: the child processes run `-m clients.cli`.
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]

WINDOWS = sys.platform == "win32"
# Windows' values (winbase.h, wincon.h), named here on every system so that the choice below
# is tested on Linux too.
if sys.platform == "win32":
    CREATE_NEW_PROCESS_GROUP: Final[int] = subprocess.CREATE_NEW_PROCESS_GROUP
    CTRL_BREAK_EVENT: Final[int] = signal.CTRL_BREAK_EVENT
    SIGBREAK: Final[int] = signal.SIGBREAK
else:
    CREATE_NEW_PROCESS_GROUP: Final[int] = 0x00000200
    CTRL_BREAK_EVENT: Final[int] = 1
    SIGBREAK: Final[int] = 21  # signal.h of Windows' C runtime


class ChildOptions(NamedTuple):
    """Popen's arguments for a child of the demo."""

    start_new_session: bool  # POSIX only
    creationflags: int  # Windows only (0 elsewhere)


def child_options(windows: bool = WINDOWS) -> ChildOptions:
    """How the demo starts a child (init, a node, the relay), so that Ctrl-C in the terminal
    reaches the demo only, which then stops its children itself: a session of its own on
    POSIX; on Windows a process group of its own, the only way Ctrl-Break can be sent to
    that child alone (:func:`request_stop`)."""
    if windows:
        return ChildOptions(start_new_session=False, creationflags=CREATE_NEW_PROCESS_GROUP)
    return ChildOptions(start_new_session=True, creationflags=0)


CHILD: Final = child_options()


def interrupt_signals(windows: bool = WINDOWS) -> tuple[int, ...]:
    """The signals that interrupt the demo (which then stops its children and deletes its
    folder): Ctrl-C and SIGTERM; on Windows also Ctrl-Break (SIGBREAK). Ctrl-Break pressed in
    the console reaches every process of it, the children too (their process groups of their
    own turn Ctrl-C off for them, not Ctrl-Break): without a handler it would end the demo at
    once, leaving its temporary folder, keys included, behind."""
    if windows:
        return (signal.SIGINT, signal.SIGTERM, SIGBREAK)
    return (signal.SIGINT, signal.SIGTERM)


def request_stop(process: subprocess.Popen[bytes], windows: bool = WINDOWS) -> None:
    """Asks a child started with :func:`child_options` to stop cleanly: SIGINT on POSIX,
    Ctrl-Break on Windows (the node and the relay take it as SIGBREAK, as they take Ctrl-C:
    node/system.py, relay/server.py). ``terminate()`` would end it at once on Windows
    (TerminateProcess), without its clean stop; it is the fallback only when Ctrl-Break
    cannot be sent (the demo runs without a console to share with its children)."""
    try:
        process.send_signal(CTRL_BREAK_EVENT if windows else signal.SIGINT)
    except ProcessLookupError:
        pass  # already gone
    except OSError:
        with contextlib.suppress(OSError):
            process.terminate()


@dataclass
class _Node:
    name: str
    role: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    client: ApiClient | None = None

    def api(self) -> ApiClient:
        assert self.client is not None
        return self.client

    def stop(self) -> None:
        """The child's clean stop (:func:`request_stop`), then a kill if it has not stopped
        in time."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            request_stop(process)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    def log_tail(self) -> list[str]:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []
        return lines[-LOG_TAIL_LINES:]


def _cli(node: _Node, lang: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "clients.cli", "--home", str(node.home), "--lang", lang, *args]


def _child_environment() -> dict[str, str]:
    """This environment without RELEVE_* settings: the demo's nodes use their defaults only."""
    return {name: value for name, value in os.environ.items() if not name.startswith("RELEVE_")}


def _say(tr: Translator, key: str, **values: object) -> None:
    print(tr(key, **values), flush=True)


def _wait_for(what: str, probe: Callable[[], T | None], timeout: float = STEP_TIMEOUT) -> T:
    """Polls ``probe`` until it returns something; a time-out names ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise CliError("demo.timeout", what=what, seconds=int(timeout))
        time.sleep(POLL_INTERVAL)


def _init(node: _Node, tr: Translator, interrupts: _Interrupts) -> None:
    command = _cli(
        node, tr.language, "init", "--name", node.name, "--role", node.role, "--unattended"
    )
    # Kept in node.process while it runs, so that an interruption stops and reaps it too
    # before the folder it writes into is deleted.
    with interrupts.held():
        node.process = process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            command,
            cwd=_PACKAGE_ROOT,
            env=_child_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=CHILD.start_new_session,
            creationflags=CHILD.creationflags,
        )
    try:
        out, err = process.communicate(timeout=INIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CliError(
            "demo.timeout", what=tr("demo.what_init", name=node.name), seconds=int(INIT_TIMEOUT)
        ) from None
    node.process = None
    if process.returncode != 0:
        detail = (err or out).decode("utf-8", errors="replace").strip()
        raise CliError("demo.init_failed", name=node.name, detail=detail)


def _start_relay(relay: _Node, lang: str, interrupts: _Interrupts) -> str:
    """Starts `releve relay` on a free loopback port; returns its URL."""
    with relay.log.open("wb") as log, interrupts.held():
        relay.process = process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            _cli(relay, lang, "relay", "--listen", "127.0.0.1:0"),
            cwd=_PACKAGE_ROOT,
            env=_child_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=CHILD.start_new_session,
            creationflags=CHILD.creationflags,
        )
    assert process.stdout is not None
    line = process.stdout.readline().decode("utf-8", errors="replace")  # "relay listening on URL"
    if "http://" not in line:
        raise CliError("demo.node_exited", name=relay.name, code=process.poll())
    return line.strip().rsplit(" ", 1)[-1]


def _start(node: _Node, lang: str, interrupts: _Interrupts, *where: str) -> None:
    with node.log.open("wb") as log, interrupts.held():
        node.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            _cli(node, lang, "node", *where),
            cwd=_PACKAGE_ROOT,
            env=_child_environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=CHILD.start_new_session,
            creationflags=CHILD.creationflags,
        )


def _wait_ready(tr: Translator, node: _Node) -> JsonObject:
    layout = HomeLayout(node.home)
    process = node.process
    assert process is not None

    def ready() -> JsonObject | None:
        if process.poll() is not None:
            raise CliError("demo.node_exited", name=node.name, code=process.returncode)
        if not layout.api_info.exists():
            return None
        try:
            client = ApiClient.from_home(layout)
            status = client.status()
        except CliError:
            return None
        node.client = client
        return status

    return _wait_for(tr("demo.what_start", name=node.name), ready, START_TIMEOUT)


def _contact(client: ApiClient, contact_id: str) -> JsonObject | None:
    for contact in client.contacts().get("contacts") or []:
        if contact.get("contact_id") == contact_id:
            return dict(contact)
    return None


def _wait_inbox(client: ApiClient, sender_id: str, text: str, what: str) -> JsonObject:
    def arrived() -> JsonObject | None:
        for message in client.inbox(wait=1).get("messages") or []:
            if message.get("contact_id") == sender_id and message.get("text") == text:
                return dict(message)
        return None

    return _wait_for(what, arrived)


def _wait_status(client: ApiClient, message_id: str, wanted: set[str], what: str) -> JsonObject:
    def reached() -> JsonObject | None:
        message = client.message(message_id)
        if message.get("status") == "failed":
            raise CliError("demo.message_failed", message_id=message_id)
        return message if message.get("status") in wanted else None

    return _wait_for(what, reached)


def _scenario(
    tr: Translator, gp: _Node, pharmacy: _Node, relay: _Node, interrupts: _Interrupts
) -> None:
    lang = tr.language
    _say(tr, "demo.intro")
    _say(
        tr,
        "demo.step_init",
        gp=gp.name,
        gp_role=role_name(tr, gp.role),
        pharmacy=pharmacy.name,
        pharmacy_role=role_name(tr, pharmacy.role),
    )
    for node in (gp, pharmacy):
        _init(node, tr, interrupts)

    _say(tr, "demo.step_start")
    relay_url = _start_relay(relay, lang, interrupts)
    _say(tr, "demo.step_relay", url=relay_url, pharmacy=pharmacy.name)
    # The practice is reachable on the LAN; the pharmacy, behind its firewall, only through
    # the relay: the messages to it go there, the replies come back directly.
    _start(gp, lang, interrupts, "--listen", "127.0.0.1:0", "--relay", relay_url)
    _start(pharmacy, lang, interrupts, "--no-listen", "--relay", relay_url)
    statuses = {}
    for node in (gp, pharmacy):
        status = _wait_ready(tr, node)
        statuses[node.name] = status
        endpoints = ", ".join(clean(e) for e in status.get("peer_endpoints") or [])
        _say(
            tr,
            "demo.node_ready" if endpoints else "demo.node_ready_relay",
            name=node.name,
            node_id=clean(status.get("node_id")),
            endpoints=endpoints,
        )
    gp_id = str(statuses[gp.name].get("contact_id"))
    pharmacy_id = str(statuses[pharmacy.name].get("contact_id"))

    invitation = gp.api().create_invitation(15)
    _say(tr, "demo.step_invite", gp=gp.name, expires=fmt_clock(invitation.get("expires_at")))
    text = str(invitation.get("text", ""))

    gp_contact = pharmacy.api().accept_invitation(text).get("contact") or {}
    _say(tr, "demo.step_accept", pharmacy=pharmacy.name, gp=clean(gp_contact.get("name")))
    pharmacy_contact = _wait_for(
        tr("demo.what_pairing", name=gp.name), lambda: _contact(gp.api(), pharmacy_id)
    )
    # Each side computes the number on its own: they must agree (docs/protocol.md).
    at_gp = pharmacy_contact.get("safety_number")
    at_pharmacy = gp_contact.get("safety_number")
    if at_gp != at_pharmacy:
        raise CliError("demo.safety_mismatch", gp=clean(at_gp), pharmacy=clean(at_pharmacy))
    _say(tr, "demo.safety_number", safety_number=clean(at_gp))

    question = tr("demo.question")
    sent = gp.api().send(str(pharmacy_contact.get("node_id")), question)
    message_id = str(sent.get("message_id"))
    _say(tr, "demo.step_send", gp=gp.name, pharmacy=pharmacy.name, text=question)
    _say(tr, "demo.status_queued", name=gp.name, status=status_name(tr, sent.get("status")))

    received = _wait_inbox(
        pharmacy.api(), gp_id, question, tr("demo.what_receive", name=pharmacy.name)
    )
    _say(
        tr,
        "demo.step_received",
        pharmacy=pharmacy.name,
        when=fmt_clock(received.get("received_at")),
    )
    delivered = _wait_status(
        gp.api(), message_id, {"delivered", "read"}, tr("demo.what_delivered", name=gp.name)
    )
    _say(
        tr,
        "demo.status",
        name=gp.name,
        status=status_name(tr, delivered.get("status")),
        when=fmt_clock(delivered.get("delivered_at")),
    )

    pharmacy.api().mark_read(str(received.get("message_id")))
    _say(tr, "demo.step_read", pharmacy=pharmacy.name)
    read = _wait_status(gp.api(), message_id, {"read"}, tr("demo.what_read", name=gp.name))
    _say(
        tr,
        "demo.status",
        name=gp.name,
        status=status_name(tr, read.get("status")),
        when=fmt_clock(read.get("read_at")),
    )

    answer = tr("demo.answer")
    pharmacy.api().send(str(gp_contact.get("node_id")), answer)
    _say(tr, "demo.step_reply", pharmacy=pharmacy.name, gp=gp.name, text=answer)
    reply = _wait_inbox(gp.api(), pharmacy_id, answer, tr("demo.what_reply", name=gp.name))
    _say(tr, "demo.step_reply_received", gp=gp.name, when=fmt_clock(reply.get("received_at")))


class _Interrupts:
    """Ctrl-C (SIGINT), SIGTERM and on Windows Ctrl-Break (:func:`interrupt_signals`) as
    KeyboardInterrupt, held back where one would leak a process.

    Between the start of a child process and the moment the demo holds its handle, an
    interruption would leave a node running with nobody to stop it: there it is held back and
    raised right after. During the clean-up it is held back for good.
    """

    def __init__(self) -> None:
        self.holding = False
        self.pending = False
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach the main thread only: nothing to install
        for signum in interrupt_signals():
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.holding:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


def run_demo(tr: Translator) -> int:
    root = Path(tempfile.mkdtemp(prefix="releve-demo-"))
    gp = _Node(GP_NAME, "gp", root / "gp", root / "gp.log")
    pharmacy = _Node(PHARMACY_NAME, "pharmacist", root / "pharmacy", root / "pharmacy.log")
    relay = _Node("relay", "", root / "relay", root / "relay-output.log")
    interrupts = _Interrupts()
    interrupts.install()
    code = 0
    try:
        try:
            _scenario(tr, gp, pharmacy, relay, interrupts)
        except CliError as exc:
            print(tr("error.prefix", message=tr(exc.key, **exc.values)), file=sys.stderr)
            for node in (gp, pharmacy, relay):
                tail = node.log_tail()
                if tail:
                    print(tr("demo.log_tail", name=node.name), file=sys.stderr)
                    for line in tail:
                        print("    " + line, file=sys.stderr)
            code = EXIT_ERROR
        except KeyboardInterrupt:
            print(file=sys.stderr)
            print(tr("demo.interrupted"), file=sys.stderr)
            code = EXIT_INTERRUPTED
    finally:
        interrupts.holding = True  # the clean-up is not cut short by a second Ctrl-C
        for node in (gp, pharmacy, relay):
            node.stop()
        shutil.rmtree(root, ignore_errors=True)
        interrupts.restore()
    _say(tr, "demo.done" if code == 0 else "demo.cleaned")
    return code
