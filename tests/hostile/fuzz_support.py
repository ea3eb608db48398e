"""Shared machinery of the hostile-input fuzzing (issue 7): budgets, the input counter, the
Hypothesis settings, structure-aware mutations, a memory guard and a log guard.

Every fuzz test draws its example budget from :data:`BUDGETS` (scaled by
``RELEVE_FUZZ_SCALE``, 10 in ``make test-faults-long``), says which budget it spends with
:func:`spends` (a ``fuzz_budget`` mark) and counts each input it really executes with
:func:`count`. tests/hostile/conftest.py checks, whatever the selection or order of the tests:
each marked test fails unless it executed its own budget, and a run in which every budget was
spent fails unless the inputs add up to :data:`MIN_TOTAL` (times the scale); it prints the
figures at the end of the run. tests/hostile/test_fuzz_budgets.py checks that every budget
is spent by exactly one test and that the budgets add up.

Hypothesis runs derandomized (a fixed seed derived from each test's name), so a failure
reproduces by running the same test again.
"""

from __future__ import annotations

import logging
import os
import random
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# A fraction (0.01) gives a quick smoke run while developing; the suite's runs use 1 and 10.
T = TypeVar("T")
SCALE: Final = float(os.environ.get("RELEVE_FUZZ_SCALE", "1") or "1")
MIN_TOTAL: Final = 100_000
# Examples per fuzz test at scale 1 (budget name -> examples). They sum to at least
# MIN_TOTAL; test_fuzz_budgets.py checks that too.
BUDGETS: Final[dict[str, int]] = {
    # tests/hostile/test_fuzz_decoders.py: every decoder of node/protocol (relay_wire included)
    "decoders.bytes": 50_000,
    "decoders.text": 8_000,
    "decoders.packet": 5_000,
    "decoders.ratchet_session": 3_000,
    "decoders.phone_exchange": 3_000,
    "decoders.relay": 15_500,
    # tests/hostile/test_fuzz_peer.py: the node's peer endpoint (raw HTTP on 127.0.0.1)
    "peer.http": 5_000,
    # tests/hostile/test_fuzz_relay.py: the relay's HTTP endpoints and WebSocket frames
    "relay.http": 4_000,
    "relay.websocket": 1_500,
    # tests/hostile/test_fuzz_local_api.py: the node's local API with a valid token
    "local_api.http": 5_000,
}
# Peak resident memory a fuzz test may add to the process (its own servers included).
MEMORY_BOUND_BYTES: Final = 512 * 1024 * 1024

# Inputs executed in this process, per budget name: conftest.py reads the difference one
# test makes (never the total of other tests, which depends on selection and order).
COUNTS: Counter[str] = Counter()
# Executed inputs may fall this far short of the budget: Hypothesis stops early when it runs
# out of new inputs, never on our account.
SHORTFALL_ALLOWED: Final = 0.95
# The mark that names the budget a pytest test spends (see spends()).
MARK: Final = "fuzz_budget"


def tagged(cases: dict[str, st.SearchStrategy[T]]) -> st.SearchStrategy[tuple[str, T]]:
    """(name, value) from one of ``cases``: strategies built once (a flatmap would build and
    validate a new strategy for every example, several times slower)."""
    return st.one_of(*(st.tuples(st.just(name), cases[name]) for name in sorted(cases)))


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def sized(sizes: tuple[int, ...]) -> st.SearchStrategy[bytes]:
    """Random bytes of exactly one of ``sizes``, from a drawn seed (drawing 64 KiB byte by
    byte through Hypothesis would cost more than the request it feeds)."""
    return st.builds(_random_bytes, st.sampled_from(sizes), st.integers(0, 2**32))


def budget(name: str) -> int:
    return max(1, round(BUDGETS[name] * SCALE))


def count(name: str) -> None:
    COUNTS[name] += 1


def spends(name: str) -> pytest.MarkDecorator:
    """Marks the pytest test that spends budget ``name`` (conftest.py holds it to it)."""
    if name not in BUDGETS:
        raise KeyError(f"no fuzz budget named {name!r}")
    return getattr(pytest.mark, MARK)(name)  # type: ignore[no-any-return]


def fuzz_settings(name: str) -> settings:
    """Derandomized, no example database, no deadline, no health check in the way."""
    return settings(
        max_examples=budget(name),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


def seeded(name: str) -> random.Random:
    """A fixed-seed generator for a test's own randomness (besides Hypothesis's draws)."""
    return random.Random(f"releve-hostile|{name}")


# --- structure-aware mutations ----------------------------------------------------------


def _flip(data: bytes, bits: list[int]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for bit in bits:
        bit %= len(out) * 8
        out[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(out)


def _truncate(data: bytes, at: int) -> bytes:
    return data[: at % (len(data) + 1)]


def _insert(data: bytes, at: int, extra: bytes) -> bytes:
    at %= len(data) + 1
    return data[:at] + extra + data[at:]


def _delete(data: bytes, at: int, length: int) -> bytes:
    at %= len(data) + 1
    return data[:at] + data[at + length :]


def _splice(first: bytes, second: bytes, cut_a: int, cut_b: int) -> bytes:
    return first[: cut_a % (len(first) + 1)] + second[cut_b % (len(second) + 1) :]


def _duplicate(data: bytes, at: int, length: int) -> bytes:
    at %= len(data) + 1
    return data[:at] + data[at : at + length] * 2 + data[at + length :]


def _set_byte(data: bytes, at: int, value: int) -> bytes:
    if not data:
        return data
    at %= len(data)
    return data[:at] + bytes((value,)) + data[at + 1 :]


def mutations(base: st.SearchStrategy[bytes], max_random: int = 300) -> st.SearchStrategy[bytes]:
    """Random bytes, and encodings from ``base`` with bits flipped, truncated, extended,
    shortened, spliced with each other, a region repeated, or a byte set to an edge value;
    and two of these spliced."""
    index = st.integers(0, 2**20)
    once = st.one_of(
        base,
        st.builds(_flip, base, st.lists(index, min_size=1, max_size=8)),
        st.builds(_truncate, base, index),
        st.builds(_insert, base, index, st.binary(min_size=1, max_size=32)),
        st.builds(_delete, base, index, st.integers(1, 64)),
        st.builds(_splice, base, base, index, index),
        st.builds(_duplicate, base, index, st.integers(1, 64)),
        st.builds(_set_byte, base, index, st.sampled_from((0, 1, 0x7F, 0x80, 0xFE, 0xFF))),
    )
    twice = st.builds(_splice, once, once, index, index)
    return st.one_of(st.binary(max_size=max_random), once, once, twice)


# --- guards -----------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


@contextmanager
def memory_bounded(bound: int = MEMORY_BOUND_BYTES) -> Iterator[None]:
    """Fails when the process's peak resident memory grows by more than ``bound`` bytes
    while the block runs (the fuzz loop and the servers it drives share this process)."""
    # Reset the peak (VmHWM) to the current size: it would otherwise be the process's
    # lifetime peak, earlier tests included.
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")
    before = _status_kib("VmRSS")
    yield
    peak = _status_kib("VmHWM")
    grown = (peak - before) * 1024
    assert grown < bound, f"peak memory grew by {grown // 2**20} MiB (bound {bound // 2**20})"


class ErrorRecords(logging.Handler):
    """Collects log records at ERROR and above: an unhandled exception in a request handler
    shows up there (aiohttp logs it, then answers 500)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not _orphan_handler_collected(record):
            self.records.append(record)

    def summary(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:200]}" for r in self.records[:10]]


def _orphan_handler_collected(record: logging.LogRecord) -> bool:
    """asyncio reporting that the garbage collector took an aiohttp connection handler left
    waiting on a client that sent garbage and went away (aio-libs/aiohttp#7551): the
    connection is gone and nothing was answered wrongly; the fuzzer's thousands of aborted
    connections make it show now and then. Any other error still fails the test."""
    message = record.getMessage()
    return (
        record.name == "asyncio"
        and message.startswith("Task was destroyed but it is pending")
        and "RequestHandler.start()" in message
    )


@contextmanager
def no_logged_errors() -> Iterator[ErrorRecords]:
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    assert not handler.records, f"errors were logged: {handler.summary()}"


# --- raw HTTP requests --------------------------------------------------------------------

_TOKEN_CHARS: Final = (
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
METHODS: Final = ("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE")
MAX_PADDED_BODY: Final = 3 * 1024 * 1024
_STATUS: Final = re.compile(rb"^HTTP/1\.[01] (\d{3}) ")

header_names = st.one_of(
    st.sampled_from(
        (
            "Content-Length",
            "Transfer-Encoding",
            "Content-Type",
            "Connection",
            "Expect",
            "Host",
            "Upgrade",
            "Authorization",
            "X-Forwarded-For",
            "Content-Encoding",
            "Accept-Encoding",
            "Cookie",
        )
    ),
    st.text(alphabet=_TOKEN_CHARS, min_size=1, max_size=24),
)
header_values = st.one_of(
    st.sampled_from(
        (
            "chunked",
            "gzip",
            "deflate",
            "br",
            "identity",
            "100-continue",
            "websocket",
            "close",
            "keep-alive",
            "-1",
            "0",
            "99999999999999999999",
            "application/json",
            "application/octet-stream",
            "multipart/form-data; boundary=x",
            "Bearer ",
        )
    ),
    st.integers(-(2**65), 2**65).map(str),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=64),
    st.binary(max_size=32).map(lambda b: b.decode("latin-1")),
)


def raw_request(
    method: str,
    target: bytes,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    content_length: str | None,
    chunked: bool,
    version: bytes = b"HTTP/1.1",
) -> bytes:
    """One HTTP/1.1 request as bytes, possibly malformed on purpose."""
    if method == "CONNECT":
        # Left out, and reported on issue 7: aiohttp routes a CONNECT past the application's
        # own Expect handler, to its default one that fails on a non-UTF-8 value (a 500).
        headers = [(name, value) for name, value in headers if name.lower() != "expect"]
    lines = [method.encode("latin-1", "replace") + b" " + target + b" " + version]
    lines.append(b"Host: 127.0.0.1")
    lines.append(b"Connection: close")
    for name, value in headers:
        lines.append(name.encode("latin-1", "replace") + b": " + value.encode("latin-1", "replace"))
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
        payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"
    else:
        declared = content_length.strip() if content_length is not None else ""
        if declared.isdigit() and len(body) < int(declared) <= MAX_PADDED_BODY:
            body = body.ljust(int(declared), b"\x00")  # a complete request, not a stall
        if content_length is not None:
            lines.append(b"Content-Length: " + content_length.encode("latin-1", "replace"))
        payload = body
    return b"\r\n".join(lines) + b"\r\n\r\n" + payload


def status_of(response: bytes) -> int | None:
    """The status code of a raw response, or None when the server closed without one."""
    match = _STATUS.match(response)
    return int(match.group(1)) if match else None
