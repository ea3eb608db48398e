"""Admission control shared by the relay and the node's servers, sans I/O: what a stranger
may cost before being refused (docs/architecture.md, invariant 9: bounded per source and in total).

    source_key(address)     the bucket an address draws from (IPv4 address or IPv6 /64)
    RateLimiter             per-source token buckets, a bounded number of sources
    LogWindow               at most N log lines per window, the rest counted by reason
    RefusalLog              "refused <what> from <source>: <reason>", bounded by a LogWindow
    MalformedRequestLogs    a logging filter: the HTTP server's report of a request it cannot
                            parse becomes one WARNING line without the request's bytes, bounded

Time is a parameter (``clock``: seconds, monotonic), as everywhere in the protocol core. The
HTTP library is not imported here: the server's edge passes the exception types it raises
for unparsable requests.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Final

MAX_SOURCES: Final = 16384
LOG_LINES_PER_WINDOW: Final = 20
LOG_WINDOW_SECONDS: Final = 60.0

Clock = Callable[[], float]


@functools.lru_cache(maxsize=4096)  # parsing an address costs more than the bucket itself
def source_key(address: str) -> str:
    """The bucket an address draws from: the IPv4 address, or the IPv6 /64 prefix.

    One IPv6 host usually owns a whole /64: counting its addresses one by one would give it
    billions of buckets. An IPv4-mapped IPv6 address is its IPv4 address."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


class RateLimiter:
    """``rate`` tokens per second per source (:func:`source_key`), at most ``burst`` saved
    up. At most ``max_sources`` buckets are kept; the least recently seen is forgotten first
    (a forgotten source starts again with a full bucket, which bounds memory, not fairness)."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Clock,
        max_sources: int = MAX_SOURCES,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._max_sources = max_sources
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, source: str, wanted: int = 1) -> int:
        """Takes up to ``wanted`` tokens; returns how many were granted (0 when none)."""
        key = source_key(source)
        tokens = self._refill(key)
        granted = min(wanted, int(tokens))
        self._buckets[key] = (tokens - granted, self._clock())
        while len(self._buckets) > self._max_sources:
            self._buckets.popitem(last=False)
        return granted

    def allow(self, source: str) -> bool:
        """One request from ``source``: True when it may go ahead (one token taken)."""
        return self.take(source) == 1

    def retry_after(self, source: str) -> int:
        """Whole seconds until ``source`` has one token again (at least 1)."""
        key = source_key(source)
        tokens = self._refill(key)
        self._buckets[key] = (tokens, self._clock())
        return max(1, math.ceil((1.0 - tokens) / self._rate))

    def __len__(self) -> int:
        return len(self._buckets)

    def _refill(self, key: str) -> float:
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self._burst, now))
        return min(self._burst, tokens + max(0.0, now - last) * self._rate)


class LogWindow:
    """A budget of log lines: :meth:`admit` says yes ``per_window`` times per window and
    counts the rest by reason, so that a flood of refused input cannot become a flood of
    log lines (a full disk). A window starts at the first event after the last one ended.
    Memory is one counter per reason: callers use a small, fixed set of reasons."""

    def __init__(
        self,
        clock: Clock,
        per_window: int = LOG_LINES_PER_WINDOW,
        window_seconds: float = LOG_WINDOW_SECONDS,
    ) -> None:
        self._clock = clock
        self._per_window = per_window
        self._window = window_seconds
        self._window_start = clock()
        self._admitted = 0
        self._suppressed: Counter[str] = Counter()  # in the current window
        self._ended: Counter[str] = Counter()  # in windows over, not yet reported

    def admit(self, reason: str) -> bool:
        """True when a line may be written now; otherwise counts it under ``reason``."""
        self._advance()
        if self._admitted < self._per_window:
            self._admitted += 1
            return True
        self._suppressed[reason] += 1
        return False

    def roll(self) -> dict[str, int]:
        """What the windows that are over suppressed (reason -> count, sorted by reason;
        empty when nothing was), each reported once."""
        self._advance()
        ended = dict(sorted(self._ended.items()))
        self._ended.clear()
        return ended

    def flush(self) -> dict[str, int]:
        """Everything suppressed and not yet reported, the current window's too; the budget
        starts again (at shutdown, or whenever the caller wants a summary now)."""
        self._advance()
        self._ended.update(self._suppressed)
        self._suppressed.clear()
        self._admitted = 0
        return self.roll()

    def _advance(self) -> None:
        now = self._clock()
        if now - self._window_start >= self._window:
            self._window_start = now
            self._admitted = 0
            self._ended.update(self._suppressed)
            self._suppressed.clear()


def summary(suppressed: dict[str, int]) -> str:
    """``"1 auth_failed, 7 rate_limited"``: counts by reason, in the reasons' order."""
    return ", ".join(f"{count} {reason}" for reason, count in suppressed.items())


class RefusalLog:
    """Logs refusals with their reason and source, at most ``per_window`` per window; the
    rest are counted and summarised (by reason only) when the window ends. A line names
    what was refused, the source address and a reason code: never a mailbox id, blob id,
    key or content."""

    def __init__(
        self,
        logger: logging.Logger,
        clock: Clock,
        per_window: int = LOG_LINES_PER_WINDOW,
        window_seconds: float = LOG_WINDOW_SECONDS,
    ) -> None:
        self._logger = logger
        self._window = LogWindow(clock, per_window, window_seconds)

    def refused(self, what: str, reason: str, source: str) -> None:
        self._summarise(self._window.roll())  # the last window's summary comes first
        if self._window.admit(reason):
            self._logger.warning("refused %s from %s: %s", what, source, reason)

    def roll(self) -> None:
        """Summarises the last window once it is over (call it periodically, so that the
        summary of a flood's last window is written even when nothing follows)."""
        self._summarise(self._window.roll())

    def flush(self) -> None:
        """Summarises what is suppressed so far (at shutdown)."""
        self._summarise(self._window.flush())

    def _summarise(self, suppressed: dict[str, int]) -> None:
        if suppressed:
            self._logger.warning("refusals not logged individually: %s", summary(suppressed))


class MalformedRequestLogs(logging.Filter):
    """An HTTP server logs a request it cannot parse at ERROR, with a traceback that quotes
    the request's bytes (a path may hold a mailbox id, a body a blob). From a stranger that
    is input to refuse, not our failure: one WARNING line naming the error's type, at most
    ``per_window`` a window (a flood of garbage must not fill the disk).

    ``malformed`` are the exception types the server raises for such requests (aiohttp's
    ``HttpProcessingError`` and ``RequestPayloadError``: the edge that installs the filter
    names them). Other records pass unchanged, unless ``scrub_others``: then they too lose
    their arguments and traceback (keeping the exception's type) and share the budget; a
    server whose URLs carry secrets (the relay's mailbox ids) wants that."""

    def __init__(
        self,
        malformed: tuple[type[BaseException], ...],
        clock: Clock,
        per_window: int = LOG_LINES_PER_WINDOW,
        window_seconds: float = LOG_WINDOW_SECONDS,
        *,
        scrub_others: bool = False,
    ) -> None:
        super().__init__()
        self._malformed = malformed
        self._scrub_others = scrub_others
        self._window = LogWindow(clock, per_window, window_seconds)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, self._malformed):
            if not self._window.admit("malformed"):
                return False
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "dropped a malformed HTTP request (%s)"
        elif not self._scrub_others:
            return True
        elif not self._window.admit("other"):
            return False
        elif error is None and not record.args:
            return True  # a fixed text quotes nothing
        else:
            record.msg = "aiohttp: %s"
        record.args = (type(error).__name__ if error is not None else "event",)
        record.exc_info = record.exc_text = record.stack_info = None
        return True
