"""Per-source token buckets (no I/O; the clock is a parameter).

A source is an IPv4 address or an IPv6 /64 prefix: one IPv6 host usually owns a whole /64,
so counting its addresses one by one would give it billions of buckets. The number of
buckets is bounded; the least recently seen source is forgotten first.
"""

from __future__ import annotations

import functools
import ipaddress
import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

MAX_SOURCES: Final = 16384


@functools.lru_cache(maxsize=4096)  # parsing an address costs more than the bucket itself
def source_key(address: str) -> str:
    """The bucket an address draws from: the IPv4 address, or the IPv6 /64 prefix."""
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
    """``rate`` tokens per second per source, at most ``burst`` saved up."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float],
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
