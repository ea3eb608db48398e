"""What the protocol core costs over the libsodium primitives it calls (a report, not a test).

    .venv/bin/python -m bench.crypto             # full run, about 12 s
    .venv/bin/python -m bench.crypto --quick     # smoke run, under 3 s
    .venv/bin/python -m bench.crypto --profile   # break the steady state down even on goal

Importable: ``bench.crypto.main(["--quick"])`` returns 0 (a smoke test can call it).

(a) A 1 KiB text payload through a warmed-up Session pair: ``Session.seal`` on one side,
    ``open_packet`` + ``Session.open`` on the other.
    - Same direction, repeatedly (no DH step), against exactly the primitives that path must
      call (docs/protocol.md §3, §4.4, §8.5-§8.6, §9.1, §10), each called directly:
      ``crypto_box_seal`` + ``crypto_box_seal_open`` of the padded inner (the packet's bucket
      minus framing; ``crypto_box_seal`` draws the ephemeral key and hashes the nonce, as
      the protocol's sealed box does), XChaCha20-Poly1305 encrypt + decrypt of the encoded
      payload with the same associated-data length, the chain step KDF_CK on each side
      (2 x 2 HMAC-SHA256 of one byte under a 32-byte key: ``hmac.digest``) and the
      message id's 16 random bytes (``nacl.utils.random``). Goal: at most 1.5x. An INFO line
      also gives the ratio to the libsodium calls alone (no HMAC, no message id).
    - Ping-pong (each message makes its receiver take one DH ratchet step), against the same
      primitives plus what a DH step must call: 2 X25519 scalar mults, 1 base-point mult,
      32 random bytes (the new ratchet key) and 2 KDF_RK (HKDF-SHA256 to 64 bytes: 3 HMAC
      each).
(b) Whole pairings (``PendingInvitation.create`` + ``accept`` + ``open_packet`` +
    ``complete``) against raw X25519 scalar mults. The X25519 and Ed25519 operations of one
    pairing are counted while it runs (by wrapping the libsodium bindings that
    ``node.protocol.primitives`` calls), so the ratio can be read against them.

Method: after a short warm-up, every operation runs in the same process. Each subject and
its baselines form a group whose calls interleave one by one (the order flipping every
step), so that they see the same machine; groups take turns within a round, and every call
is timed. An operation's figure for a round is the median of its calls (robust to the odd
interrupt), the reported figure the median over rounds, and a ratio the median of the
per-round ratios. "best" is the ratio of the fastest calls, a floor on a noisy machine.
When the steady-state ratio misses its goal, the run breaks that path down by stage and
prints a cProfile. Exits 0 whatever it finds: it reports.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hmac
import io
import os
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import nacl
import nacl.bindings
import nacl.utils

from node.protocol import (
    ContactCard,
    Endpoint,
    Identity,
    PayloadKind,
    PendingInvitation,
    Profile,
    RatchetMessage,
    Reachability,
    Role,
    SealedAnswer,
    Session,
    accept,
    complete,
    open_packet,
    primitives,
    system_random,
)
from node.protocol.payload import HEADER_SIZE as PAYLOAD_HEADER_SIZE
from node.protocol.payload import encode_text
from node.protocol.primitives import SEAL_OVERHEAD
from node.protocol.ratchet import HEADER_SIZE

GOAL: Final = 1.5
TEXT_SIZE: Final = 1024
NOW: Final = 1_764_576_000.0  # the protocol takes the clock as a parameter; any value works

# The bindings every baseline calls. `_counting()` swaps it (and the one node.protocol uses).
_lib: Any = nacl.bindings

Op = Callable[[], object]

# libsodium call -> operations it performs, for counting.
_COSTS: Final[dict[str, tuple[str, ...]]] = {
    "crypto_scalarmult": ("x25519",),
    "crypto_scalarmult_base": ("x25519_base",),
    "crypto_box": ("x25519",),  # crypto_box_beforenm
    "crypto_box_easy": ("x25519",),
    "crypto_box_open": ("x25519",),
    "crypto_box_seal": ("x25519_base", "x25519"),  # ephemeral key pair, then crypto_box
    "crypto_box_seal_open": ("x25519",),
    "crypto_sign": ("ed25519_sign",),
    "crypto_sign_open": ("ed25519_verify",),
    "crypto_sign_seed_keypair": ("ed25519_keypair",),
}


@dataclass(frozen=True)
class Settings:
    rounds: int
    round_seconds: float  # target length of one round (all operations)
    warmup_seconds: float  # per operation


FULL: Final = Settings(rounds=5, round_seconds=2.0, warmup_seconds=0.1)
QUICK: Final = Settings(rounds=3, round_seconds=0.12, warmup_seconds=0.01)


# --- Counting the primitives an operation calls ------------------------------------------


class _CountingBindings:
    def __init__(self, real: Any, counts: Counter[str]) -> None:
        self._real = real
        self._counts = counts

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        costs = _COSTS.get(name)
        if costs is None:
            return attribute
        counts = self._counts

        def counted(*args: Any, **kwargs: Any) -> Any:
            counts.update(costs)
            return attribute(*args, **kwargs)

        return counted


@contextmanager
def _counting() -> Iterator[Counter[str]]:
    global _lib
    counts: Counter[str] = Counter()
    namespace = vars(primitives)  # the module's globals: its `sodium` is nacl.bindings
    real_protocol, real_bench = namespace["sodium"], _lib
    namespace["sodium"] = _lib = _CountingBindings(real_bench, counts)
    try:
        yield counts
    finally:
        namespace["sodium"], _lib = real_protocol, real_bench


def count_ops(op: Op) -> Counter[str]:
    with _counting() as counts:
        op()
    return counts


# --- The operations -----------------------------------------------------------------------


@dataclass
class Side:
    identity: Identity
    session: Session


def _reachability() -> Reachability:
    return Reachability(
        (
            Endpoint.relay("https://relais.example.org"),
            Endpoint.direct("192.168.1.20", 7643),
            Endpoint.direct("fd00::20", 7643),
        ),
        mailbox_id=bytes(range(16)),
    )


INVITER_PROFILE: Final = Profile("Dr Élise Martin", Role.GP)
ACCEPTOR_CARD: Final = ContactCard(Profile("Pharmacie du Marché", Role.PHARMACIST), _reachability())


def pair(inviter: Identity, acceptor: Identity) -> tuple[Side, Side]:
    """One whole pairing; returns (inviter, acceptor)."""
    pending = PendingInvitation.create(
        inviter, INVITER_PROFILE, _reachability(), NOW, system_random
    )
    accepted, packet = accept(pending.invitation, acceptor, ACCEPTOR_CARD, NOW, system_random)
    inner = open_packet(packet, inviter.public.dh_key, inviter.dh_private)
    assert isinstance(inner, SealedAnswer)
    completed = complete(pending, inner, inviter, NOW, system_random)
    return Side(inviter, completed.session), Side(acceptor, accepted.session)


def deliver(sender: Side, receiver: Side, body: bytes) -> bytes:
    """Seals one text on one side and opens it on the other; returns the packet."""
    _, packet = sender.session.seal(PayloadKind.TEXT, body, NOW, system_random)
    inner = open_packet(packet, receiver.identity.public.dh_key, receiver.identity.dh_private)
    assert isinstance(inner, RatchetMessage)
    receiver.session.open(inner, NOW, system_random)
    return packet


def text_body() -> bytes:
    """A TEXT body (meta + UTF-8) of exactly TEXT_SIZE bytes (a cut inside a character
    would be refused)."""
    line = "Compte rendu : patient stable, traitement inchangé, contrôle INR dans 7 jours. "
    size = TEXT_SIZE - len(encode_text(".")) + 1
    text = b""
    while len(text) + len(line.encode()) <= size:
        text += line.encode()
    return encode_text((text + b"." * (size - len(text))).decode())


@dataclass(frozen=True)
class Workload:
    ops: dict[str, Op]
    sizes: dict[str, int]  # what the steady-state path hands to libsodium, in bytes
    steady_pair: tuple[Side, Side]  # (sender, receiver)
    body: bytes


def build_workload() -> Workload:
    inviter = Identity.generate(system_random)
    acceptor = Identity.generate(system_random)
    body = text_body()

    # (a) same direction: the acceptor keeps sending; the inviter never takes a DH step.
    steady_receiver, steady_sender = pair(inviter, acceptor)
    packet = b""
    for _ in range(3):  # warm the pair up
        packet = deliver(steady_sender, steady_receiver, body)

    def steady() -> None:
        deliver(steady_sender, steady_receiver, body)

    # (a) ping-pong: every message makes its receiver take a DH ratchet step.
    # After pairing the inviter already holds the acceptor's ratchet key, so the acceptor's
    # first message is not a DH step: send it during set-up.
    pong, ping = pair(inviter, acceptor)
    deliver(ping, pong, body)
    turn = [pong, ping]

    def ping_pong() -> None:
        deliver(turn[0], turn[1], body)
        turn.reverse()

    # The exact sizes the path hands to libsodium.
    padded_size = len(packet) - 1 - SEAL_OVERHEAD
    payload_size = PAYLOAD_HEADER_SIZE + TEXT_SIZE
    ad_size = len(steady_sender.session.ratchet.associated_data) + HEADER_SIZE
    recipient_private = system_random(32)
    recipient_public = primitives.x25519_public(recipient_private)
    padded, plaintext, ad = bytes(padded_size), bytes(payload_size), bytes(ad_size)
    key, nonce = system_random(32), system_random(24)
    peer_private = system_random(32)
    peer_public = primitives.x25519_public(system_random(32))

    chain_key, dh_output = system_random(32), system_random(32)
    info_1, info_2 = bytes(22) + b"\x01", bytes(22) + b"\x02"  # INFO_ROOT || counter
    digest, random = hmac.digest, nacl.utils.random

    def sodium_message() -> None:
        sealed = _lib.crypto_box_seal(padded, recipient_public)
        _lib.crypto_box_seal_open(sealed, recipient_public, recipient_private)
        ciphertext = _lib.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key)
        _lib.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, ad, nonce, key)

    def primitives_message() -> None:
        random(16)  # message id
        digest(chain_key, b"\x02", "sha256")  # KDF_CK, sender
        digest(chain_key, b"\x01", "sha256")
        sodium_message()
        digest(chain_key, b"\x02", "sha256")  # KDF_CK, receiver
        digest(chain_key, b"\x01", "sha256")

    def kdf_rk() -> None:  # HKDF-SHA256, 64 bytes: extract, then two expand blocks
        prk = digest(chain_key, dh_output, "sha256")
        block = digest(prk, info_1, "sha256")
        digest(prk, block + info_2, "sha256")

    def primitives_message_dh() -> None:
        primitives_message()
        _lib.crypto_scalarmult(peer_private, peer_public)
        kdf_rk()
        random(32)  # the new ratchet key
        _lib.crypto_scalarmult_base(peer_private)
        _lib.crypto_scalarmult(peer_private, peer_public)
        kdf_rk()

    # (b) whole pairings, and the primitives they are made of.
    def pairing() -> None:
        pair(inviter, acceptor)

    signing_public, signing_secret = nacl.bindings.crypto_sign_seed_keypair(system_random(32))
    transcript = bytes(320)  # about the size of a pairing transcript
    signed = nacl.bindings.crypto_sign(transcript, signing_secret)

    def x25519() -> None:
        _lib.crypto_scalarmult(peer_private, peer_public)

    def x25519_base() -> None:
        _lib.crypto_scalarmult_base(peer_private)

    def ed25519_sign() -> None:
        _lib.crypto_sign(transcript, signing_secret)

    def ed25519_verify() -> None:
        _lib.crypto_sign_open(signed, signing_public)

    return Workload(
        ops={
            "steady": steady,
            "steady_base": primitives_message,
            "steady_sodium": sodium_message,
            "pingpong": ping_pong,
            "pingpong_base": primitives_message_dh,
            "pairing": pairing,
            "x25519": x25519,
            "x25519_base": x25519_base,
            "ed25519_sign": ed25519_sign,
            "ed25519_verify": ed25519_verify,
        },
        sizes={"padded": padded_size, "payload": payload_size, "ad": ad_size},
        steady_pair=(steady_sender, steady_receiver),
        body=body,
    )


# --- Timing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timings:
    rounds: dict[str, list[float]]  # operation -> median seconds per call, one per round
    fastest: dict[str, float]  # operation -> fastest call, seconds

    def median(self, name: str) -> float:
        return statistics.median(self.rounds[name])


def _warm_up(ops: dict[str, Op], settings: Settings) -> float:
    """Runs every op for the warm-up time; returns the seconds one step (each op once) takes."""
    step = 0.0
    for op in ops.values():
        calls = 0
        start = time.perf_counter()
        while True:
            op()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= settings.warmup_seconds and calls >= 2:
                break
        step += elapsed / calls
    return step


def measure(groups: Sequence[dict[str, Op]], settings: Settings) -> Timings:
    """Times every call; the ops of a group (a subject and its baselines) interleave call by
    call, and the groups take turns within each round. See the module docstring."""
    group_seconds = settings.round_seconds / len(groups)
    steps = [max(5, round(group_seconds / _warm_up(group, settings))) for group in groups]
    clock = time.perf_counter
    names = [name for group in groups for name in group]
    rounds: dict[str, list[float]] = {name: [] for name in names}
    fastest = dict.fromkeys(names, float("inf"))
    for round_index in range(settings.rounds):
        calls: dict[str, list[float]] = {name: [] for name in names}
        order = list(zip(groups, steps, strict=True))
        for group, group_steps in order if round_index % 2 == 0 else order[::-1]:
            forward = list(group.items())
            backward = forward[::-1]
            gc.collect()
            gc.disable()  # as timeit does; collected between groups
            try:
                for step in range(group_steps):
                    for name, op in forward if step % 2 == 0 else backward:
                        start = clock()
                        op()
                        calls[name].append(clock() - start)
            finally:
                gc.enable()
        for name, durations in calls.items():
            rounds[name].append(statistics.median(durations))
            fastest[name] = min(fastest[name], *durations)
    return Timings(rounds, fastest)


def stage_breakdown(sender: Side, receiver: Side, body: bytes, calls: int) -> dict[str, float]:
    """Median seconds of each stage of one steady-state message."""
    clock = time.perf_counter
    stages: dict[str, list[float]] = {"Session.seal": [], "open_packet": [], "Session.open": []}
    for _ in range(calls):
        t0 = clock()
        _, packet = sender.session.seal(PayloadKind.TEXT, body, NOW, system_random)
        t1 = clock()
        inner = open_packet(packet, receiver.identity.public.dh_key, receiver.identity.dh_private)
        t2 = clock()
        assert isinstance(inner, RatchetMessage)
        receiver.session.open(inner, NOW, system_random)
        t3 = clock()
        stages["Session.seal"].append(t1 - t0)
        stages["open_packet"].append(t2 - t1)
        stages["Session.open"].append(t3 - t2)
    return {name: statistics.median(durations) for name, durations in stages.items()}


def profile(op: Op, calls: int, top: int = 16) -> str:
    """cProfile of ``calls`` runs of ``op``, by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        op()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue().strip("\n")


# --- Report -------------------------------------------------------------------------------


def _per_op(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:7.2f} ms"
    return f"{seconds * 1e6:7.1f} µs"


def _counted(counts: Counter[str]) -> str:
    text = f"{counts['x25519']}+{counts['x25519_base']}"
    if counts["ed25519_sign"] or counts["ed25519_verify"]:
        text += f", Ed25519 sign {counts['ed25519_sign']} verify {counts['ed25519_verify']}"
    return text


def _ratios(subject: list[float], baseline: list[float]) -> list[float]:
    return [s / b for s, b in zip(subject, baseline, strict=True)]


def _goal_line(label: str, ratios: list[float], best: float) -> str:
    ratio = statistics.median(ratios)
    verdict = "OK" if ratio <= GOAL else "OVER"
    return (
        f"{label}: {ratio:.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f}, "
        f"best {best:.2f}x) (goal <= {GOAL}x): {verdict}"
    )


GROUPS: Final = (
    ("steady", "steady_base", "steady_sodium"),
    ("pingpong", "pingpong_base"),
    ("pairing", "x25519", "x25519_base", "ed25519_sign", "ed25519_verify"),
)
ROWS: Final = (
    ("steady", "(a) 1 KiB text, Session.seal + open_packet + Session.open"),
    (
        "steady_base",
        "    primitives: the libsodium calls below + 4 HMAC-SHA256 + 16 random bytes",
    ),
    (
        "steady_sodium",
        "    libsodium: box_seal+seal_open {padded} B, XChaCha20-Poly1305 enc+dec {payload} B",
    ),
    ("pingpong", "(a) ping-pong: the same, one DH ratchet step per message"),
    ("pingpong_base", "    primitives above + 2 X25519 + 1 base + 6 HMAC + 32 random bytes"),
    ("pairing", "(b) pairing: create + accept + open_packet + complete"),
    ("x25519", "    X25519 (crypto_scalarmult)"),
    ("x25519_base", "    X25519 base point (crypto_scalarmult_base)"),
    ("ed25519_sign", "    Ed25519 sign (320 B)"),
    ("ed25519_verify", "    Ed25519 verify (320 B)"),
)


def run(settings: Settings, force_profile: bool, out: Any) -> None:
    started = time.perf_counter()
    workload = build_workload()
    ops = workload.ops
    counts = {name: count_ops(op) for name, op in ops.items()}
    groups = [{name: ops[name] for name in group} for group in GROUPS]
    timings = measure(groups, settings)
    median = {name: timings.median(name) for name in workload.ops}
    rounds, fastest = timings.rounds, timings.fastest

    def emit(line: str = "") -> None:
        print(line, file=out)

    emit(
        f"Relève crypto benchmark: Python {platform.python_version()}, PyNaCl "
        f"{nacl.__version__}, {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{settings.rounds} rounds of ~{settings.round_seconds:g} s, calls interleaved; medians"
    )
    emit()
    labels = [label.format(**workload.sizes) for _, label in ROWS]
    width = max(len(label) for label in labels)
    header = f"{'operation':<{width}}  {'per call':>10}  {'per s':>7}  X25519 var+base"
    emit(header)
    emit("-" * len(header))
    for (name, _), label in zip(ROWS, labels, strict=True):
        emit(
            f"{label:<{width}}  {_per_op(median[name]):>10}  {1 / median[name]:>7,.0f}  "
            f"{_counted(counts[name])}"
        )
    emit()

    steady = _ratios(rounds["steady"], rounds["steady_base"])
    emit(
        _goal_line(
            "seal+open per message vs primitives",
            steady,
            fastest["steady"] / fastest["steady_base"],
        )
    )
    sodium_only = _ratios(rounds["steady"], rounds["steady_sodium"])
    emit(
        "seal+open per message vs its libsodium calls alone: "
        f"{statistics.median(sodium_only):.2f}x "
        f"(rounds {min(sodium_only):.2f}-{max(sodium_only):.2f}) (no goal set): INFO"
    )
    emit(
        _goal_line(
            "ping-pong per message vs primitives + DH step",
            _ratios(rounds["pingpong"], rounds["pingpong_base"]),
            fastest["pingpong"] / fastest["pingpong_base"],
        )
    )
    pairing = counts["pairing"]
    floors = [
        pairing["x25519"] * x
        + pairing["x25519_base"] * b
        + pairing["ed25519_sign"] * s
        + pairing["ed25519_verify"] * v
        for x, b, s, v in zip(
            rounds["x25519"],
            rounds["x25519_base"],
            rounds["ed25519_sign"],
            rounds["ed25519_verify"],
            strict=True,
        )
    ]
    over_floor = _ratios(rounds["pairing"], floors)
    in_x25519 = statistics.median(_ratios(rounds["pairing"], rounds["x25519"]))
    emit(
        f"pairing: {1 / median['pairing']:,.0f} pairings/s vs {1 / median['x25519']:,.0f} "
        f"X25519/s: one pairing costs {in_x25519:.1f} X25519; it does "
        f"{pairing['x25519']} X25519 + {pairing['x25519_base']} base-point X25519 + "
        f"{pairing['ed25519_sign']} Ed25519 sign + {pairing['ed25519_verify']} verify, so "
        f"{statistics.median(over_floor):.2f}x those primitives "
        f"(rounds {min(over_floor):.2f}-{max(over_floor):.2f}) (no goal set): INFO"
    )

    if force_profile or statistics.median(steady) > GOAL:
        calls = max(30, round(settings.round_seconds / 4 / median["steady"]))
        sender, receiver = workload.steady_pair
        emit()
        emit(f"Where the steady-state time goes ({calls} messages, medians per stage):")
        for stage, seconds in stage_breakdown(sender, receiver, workload.body, calls).items():
            emit(f"  {stage:<13} {_per_op(seconds)}")
        emit(f"cProfile of {calls} steady-state messages (the profiler inflates Python time):")
        emit(profile(workload.ops["steady"], calls))
    emit()
    emit(f"(total {time.perf_counter() - started:.1f} s)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crypto",
        description="Protocol core cost over its libsodium primitives (reports, exits 0).",
    )
    parser.add_argument("--quick", action="store_true", help="fast smoke run (< 3 s)")
    parser.add_argument(
        "--profile", action="store_true", help="break the steady state down even if on goal"
    )
    parser.add_argument("--rounds", type=int, default=None, help="number of rounds")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    if args.rounds is not None:
        settings = Settings(max(1, args.rounds), settings.round_seconds, settings.warmup_seconds)
    run(settings, args.profile, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
