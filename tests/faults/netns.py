"""A throw-away network of Linux network namespaces for the bad-network tests.

Topology (every name carries the run's tag; addresses exist only inside the namespaces)::

    <tag>-gp        eth0 10.77.0.1/24 --veth--+
    <tag>-pharmacy  eth0 10.77.0.2/24 --veth--+-- br0 10.77.0.254/24   <tag>-sw (the switch)
    <tag>-relay     eth0 10.77.0.3/24 --veth--+

Nothing is created in the host's own namespace: each veth pair is made inside the switch's
namespace with its other end moved straight into the host's. Deleting the namespaces
(:meth:`Lan.close`) deletes everything else with them.

Faults, per host: random loss and partitions with nftables (a table of our own in the host's
namespace, matching its eth0 only so that the local API on loopback is spared), a cut link
(``ip link set eth0 down``), a bandwidth cap with the tbf qdisc on both ends of the host's
veth (one per direction).

Processes run inside a namespace through ``ip netns exec``; blocking calls from the test
(the nodes' local API on the namespace's loopback) run in a thread that joined the namespace
with setns(2): sockets belong to the namespace of the thread that makes them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

from tests.integration.nodes import FAST_ENV, REQUEST_SECONDS, START_SECONDS, Node, Relay, wait_for

T = TypeVar("T")

TAG_PREFIX: Final = "rlvnet"
SUBNET: Final = "10.77.0"
SWITCH_ADDRESS: Final = f"{SUBNET}.254"
PEER_PORT: Final = 7301
RELAY_PORT: Final = 7400
COMMAND_SECONDS: Final = 20
CALL_SECONDS: Final = 60
_CLONE_NEWNET: Final = 0x40000000
_NFT_TABLE: Final = "releve_fault"
_TOOLS: Final = {"ip": "iproute2", "tc": "iproute2", "nft": "nftables"}


class NamespacesUnavailable(AssertionError):
    """This machine cannot build the test network: the bad-network tests fail (never skip)."""


def require_namespaces() -> None:
    """Fails loudly, saying why, where network namespaces cannot be made."""
    problems = []
    if os.geteuid() != 0:
        problems.append("not running as root (namespaces, veth, nftables and tc need it)")
    for tool, package in _TOOLS.items():
        if shutil.which(tool) is None:
            problems.append(f"`{tool}` is missing (Debian package {package})")
    if not problems:
        probe = Namespace(f"{TAG_PREFIX}-probe-{os.getpid()}-{secrets.token_hex(2)}")
        try:
            probe.create()
            probe.nft(f"table inet {_NFT_TABLE} {{ }}")
        except (OSError, subprocess.SubprocessError, AssertionError) as exc:
            problems.append(f"creating a network namespace failed: {exc}")
        finally:
            probe.delete()
    if problems:
        raise NamespacesUnavailable(
            "BAD-NETWORK TESTS CANNOT RUN ON THIS MACHINE: "
            + "; ".join(problems)
            + ". They need root with iproute2 and nftables (.ci/run installs them); "
            "they fail rather than pass without testing anything."
        )


def run(args: list[str], stdin: str | None = None, check: bool = True) -> str:
    """Runs a network command; raises AssertionError with its stderr when it fails."""
    result = subprocess.run(
        args, input=stdin, capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"`{' '.join(args)}` failed: {result.stderr.strip()}")
    return result.stdout


def _enter(name: str) -> None:
    """Moves the calling thread (only it) into network namespace ``name``."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(fd, _CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"setns into {name}: {os.strerror(error)}")
    finally:
        os.close(fd)


class Namespace:
    def __init__(self, name: str) -> None:
        self.name = name
        self.created = False
        self._thread: concurrent.futures.ThreadPoolExecutor | None = None

    def create(self) -> None:
        run(["ip", "netns", "add", self.name])
        self.created = True
        self.ip("link", "set", "lo", "up")

    def ip(self, *args: str, check: bool = True) -> str:
        return run(["ip", "-n", self.name, *args], check=check)

    def exec(self, *args: str, check: bool = True) -> str:
        return run([*self.prefix, *args], check=check)

    def nft(self, script: str) -> None:
        run([*self.prefix, "nft", "-f", "-"], stdin=script)

    @property
    def prefix(self) -> list[str]:
        """Prepended to a command line to run it inside this namespace."""
        return ["ip", "netns", "exec", self.name]

    def enter(self) -> None:
        """Moves the calling thread into this namespace (see ProxyThread)."""
        _enter(self.name)

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """Runs a blocking call from a thread inside this namespace."""
        if self._thread is None:
            self._thread = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix=self.name, initializer=_enter, initargs=(self.name,)
            )
        return self._thread.submit(function, *args).result(CALL_SECONDS)

    def delete(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True, cancel_futures=True)
            self._thread = None
        if self.created or Path(f"/run/netns/{self.name}").exists():
            run(["ip", "netns", "delete", self.name], check=False)
            self.created = False


class Host:
    """One machine on the test LAN: a namespace whose eth0 is plugged into the switch."""

    def __init__(self, lan: Lan, role: str, number: int) -> None:
        self.lan = lan
        self.role = role
        self.ns = Namespace(f"{lan.tag}-{role}")
        self.address = f"{SUBNET}.{number}"
        self.port_name = f"p{number}"  # its veth end on the switch

    def plug(self) -> None:
        self.ns.create()
        switch = self.lan.switch
        switch.ip(
            "link",
            "add",
            self.port_name,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            self.ns.name,
        )
        switch.ip("link", "set", self.port_name, "master", "br0", "up")
        self.ns.ip("addr", "add", f"{self.address}/24", "dev", "eth0")
        self.ns.ip("link", "set", "eth0", "up")

    # --- faults ---------------------------------------------------------------------------

    def drop_randomly(self, one_in: int) -> None:
        """Drops one packet in ``one_in`` at random, each way (nftables numgen)."""
        rule = f"numgen random mod {one_in} 0 counter drop"
        self._filter(f'iifname "eth0" {rule}', f'oifname "eth0" {rule}')

    def partition(self) -> None:
        """Drops every packet, each way: the host is cut off while its link stays up."""
        self._filter('iifname "eth0" counter drop', 'oifname "eth0" counter drop')

    def heal(self) -> None:
        """Removes the nftables faults."""
        self.ns.exec("nft", "delete", "table", "inet", _NFT_TABLE, check=False)

    def dropped(self) -> int:
        """Packets the nftables faults dropped so far (both ways)."""
        listing = self.ns.exec("nft", "list", "table", "inet", _NFT_TABLE, check=False)
        words = listing.split()
        return sum(int(words[i + 1]) for i, word in enumerate(words) if word == "packets")

    def _filter(self, inbound: str, outbound: str) -> None:
        self.heal()
        self.ns.nft(
            f"table inet {_NFT_TABLE} {{\n"
            f"  chain inbound {{ type filter hook input priority 0; {inbound}; }}\n"
            f"  chain outbound {{ type filter hook output priority 0; {outbound}; }}\n"
            "}\n"
        )

    def cut(self) -> None:
        """Unplugs the cable: eth0 down (its routes go with it)."""
        self.ns.ip("link", "set", "eth0", "down")

    def restore(self) -> None:
        self.ns.ip("link", "set", "eth0", "up")
        wait_for(self._routed, 60, f"{self.role}'s route back after the link came up")

    def _routed(self) -> bool:
        return SUBNET in self.ns.ip("route", "show", "dev", "eth0")

    def limit_rate(self, rate: str) -> None:
        """A bandwidth cap each way: tbf on the host's eth0 (upload) and on its switch port
        (download). A buffer of one second at that rate, like a small DSL modem's."""
        for namespace, device in ((self.ns, "eth0"), (self.lan.switch, self.port_name)):
            namespace.exec(
                "tc", "qdisc", "replace", "dev", device, "root",
                "tbf", "rate", rate, "burst", "4kb", "latency", "1s",
            )  # fmt: skip

    def rate_stats(self) -> str:
        return self.ns.exec("tc", "-s", "qdisc", "show", "dev", "eth0")


class Lan:
    """The switch and its hosts; :meth:`close` removes them all, whatever happened."""

    def __init__(self) -> None:
        self.tag = f"{TAG_PREFIX}-{os.getpid()}-{secrets.token_hex(3)}"
        self.switch = Namespace(f"{self.tag}-sw")
        self.hosts: dict[str, Host] = {}

    def start(self, roles: tuple[str, ...]) -> None:
        _remove_stale()
        self.switch.create()
        self.switch.ip("link", "add", "br0", "type", "bridge")
        self.switch.ip("addr", "add", f"{SWITCH_ADDRESS}/24", "dev", "br0")
        self.switch.ip("link", "set", "br0", "up")
        for number, role in enumerate(roles, start=1):
            host = Host(self, role, number)
            self.hosts[role] = host
            host.plug()

    def close(self) -> None:
        for host in self.hosts.values():
            host.ns.delete()
        self.switch.delete()

    def __enter__(self) -> Lan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _remove_stale() -> None:
    """Namespaces a killed run of this suite left behind (its process is gone)."""
    with contextlib.suppress(FileNotFoundError):
        for entry in os.listdir("/run/netns"):
            parts = entry.split("-")
            ours = len(parts) >= 3 and parts[0] == TAG_PREFIX and parts[1].isdigit()
            if ours and not Path(f"/proc/{parts[1]}").exists():
                run(["ip", "netns", "delete", entry], check=False)


class NsNode(Node):
    """A real ``releve node`` on a host of the LAN, listening on the host's address.

    ``advertise`` replaces the address given to contacts (to route them through a proxy);
    ``relays`` are the relay URLs it subscribes to."""

    def __init__(
        self,
        home: Path,
        name: str,
        role: str,
        host: Host,
        *,
        relays: tuple[str, ...] = (),
        advertise: str | None = None,
    ) -> None:
        super().__init__(home, name, role)
        self.host = host
        self.port = PEER_PORT
        self.relays = relays
        self.advertise = advertise

    def start(self, *extra: str, wait: bool = True, listen: bool = True) -> None:
        assert self.process is None or self.process.poll() is not None
        where = ["--listen", f"{self.host.address}:{PEER_PORT}"] if listen else ["--no-listen"]
        relays = [arg for url in self.relays for arg in ("--relay", url)]
        env = {**os.environ, **FAST_ENV}
        if self.advertise is not None:
            env["RELEVE_ADVERTISE"] = self.advertise
        self.api_info.unlink(missing_ok=True)
        command = [sys.executable, "-m", "clients.cli", "--home", str(self.home), "node"]
        with open(self.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                [*self.host.ns.prefix, *command, *where, *relays, *extra],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
            )
        if wait:
            wait_for(self._ready, START_SECONDS, f"{self.name} to start")

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        timeout: float = REQUEST_SECONDS,
    ) -> Any:
        """The local API, on the loopback of the node's namespace."""
        return self.host.ns.call(Node.request, self, method, path, body, token, timeout)

    @property
    def peer_url(self) -> str:
        return f"http://{self.host.address}:{self.port}"

    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""


class NsRelay(Relay):
    """A real ``releve relay`` on a host of the LAN."""

    def __init__(self, log_path: Path, host: Host) -> None:
        super().__init__(log_path)
        self.host = host
        self.port = RELAY_PORT

    @property
    def url(self) -> str:
        return f"http://{self.host.address}:{self.port}"

    def start(self) -> None:
        assert self.process is None
        listen = f"{self.host.address}:{self.port}"
        command = [sys.executable, "-m", "clients.cli", "relay", "--listen", listen]
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [*self.host.ns.prefix, *command],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env={**os.environ, **FAST_ENV},
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "http://" not in line:
            raise AssertionError(f"the relay did not start: {line!r} {self.log_path.read_text()}")

    def health(self) -> dict[str, Any]:
        return self.host.ns.call(Relay.health, self)
