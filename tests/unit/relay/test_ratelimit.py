"""Per-source token buckets."""

from __future__ import annotations

import pytest

from relay.ratelimit import RateLimiter, source_key


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=10.0, burst=20, clock=clock)
    assert limiter.take("192.0.2.1", 15) == 15
    assert limiter.take("192.0.2.1", 15) == 5  # partly granted
    assert limiter.take("192.0.2.1") == 0
    assert limiter.retry_after("192.0.2.1") == 1
    clock.now += 0.5
    assert limiter.take("192.0.2.1", 100) == 5
    clock.now += 100
    assert limiter.take("192.0.2.1", 100) == 20  # never more than the burst
    assert limiter.take("192.0.2.2", 20) == 20  # sources are independent


def test_retry_after_counts_whole_seconds() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=0.25, burst=1, clock=clock)
    assert limiter.take("a") == 1
    assert limiter.retry_after("a") == 4
    clock.now += 3.5
    assert limiter.retry_after("a") == 1


def test_ipv6_hosts_share_their_slash_64() -> None:
    limiter = RateLimiter(rate=1.0, burst=2, clock=Clock())
    assert limiter.take("2001:db8:1:2::1", 2) == 2
    assert limiter.take("2001:db8:1:2:ffff::9") == 0
    assert limiter.take("2001:db8:1:3::1") == 1


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("2001:db8::1", "2001:db8::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("unknown", "unknown"),
    ],
)
def test_source_key(address: str, key: str) -> None:
    assert source_key(address) == key


def test_the_number_of_sources_is_bounded() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=Clock(), max_sources=100)
    for i in range(1000):
        limiter.take(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) == 100
