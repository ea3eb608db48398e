"""Admission control (node.protocol.admission): per-source token buckets with IPv6 /64
grouping and a bounded number of sources, and log budgets that a flood cannot overrun."""

from __future__ import annotations

import logging
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.protocol.admission import (
    LogWindow,
    MalformedRequestLogs,
    RateLimiter,
    RefusalLog,
    source_key,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# --- RateLimiter ---------------------------------------------------------------------------


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


def test_allow_is_one_token() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.allow("192.0.2.1") for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5  # one token back
    assert limiter.allow("192.0.2.1")
    assert not limiter.allow("192.0.2.1")
    assert limiter.allow("192.0.2.2")  # another source, its own bucket


def test_allow_groups_an_ipv6_host_by_its_slash_64() -> None:
    """A host rotating through the addresses of its /64 (one address per request) is one
    source; its neighbour /64 and an IPv4 client are not held back by it."""
    limiter = RateLimiter(rate=1.0, burst=5, clock=Clock())
    allowed = [limiter.allow(f"2001:db8:aa:bb::{i:x}") for i in range(1, 101)]
    assert allowed == [True] * 5 + [False] * 95
    assert len(limiter) == 1
    assert limiter.allow("2001:db8:aa:bc::1")
    assert limiter.allow("192.0.2.1")


@given(st.lists(st.sampled_from(["192.0.2.1", "2001:db8::1", "2001:db8::2"]), max_size=60))
def test_allow_grants_at_most_the_burst_without_time(sources: list[str]) -> None:
    """Without time passing, each source key is granted exactly its burst, then nothing."""
    limiter = RateLimiter(rate=1.0, burst=4, clock=Clock())
    granted: dict[str, int] = {}
    for source in sources:
        key = source_key(source)
        expected = granted.get(key, 0) < 4
        assert limiter.allow(source) == expected
        granted[key] = granted.get(key, 0) + expected


def test_a_rotating_ipv6_flood_keeps_one_bucket_and_cannot_evict_others() -> None:
    """Billions of addresses in one /64 are one bucket: they cannot push a paired
    contact's bucket out of a bounded table (and so reset another source's limit)."""
    limiter = RateLimiter(rate=0.0001, burst=1, clock=Clock(), max_sources=2)
    assert limiter.allow("198.51.100.9")
    for i in range(10_000):
        limiter.allow(f"2001:db8:0:1:{i >> 16:x}:{i & 0xFFFF:x}::1")
    assert len(limiter) == 2
    assert not limiter.allow("198.51.100.9")  # still remembered: still limited


# --- LogWindow, RefusalLog -----------------------------------------------------------------


def test_log_window_admits_per_window_then_counts() -> None:
    clock = Clock()
    window = LogWindow(clock, per_window=2, window_seconds=10)
    assert [window.admit("a") for _ in range(3)] == [True, True, False]
    assert not window.admit("b")
    assert window.roll() == {}  # the window is still open
    clock.now += 10
    assert window.roll() == {"a": 1, "b": 1}
    assert window.roll() == {}  # reported once
    assert window.admit("a")


def test_a_window_closed_by_admit_is_still_reported() -> None:
    clock = Clock()
    window = LogWindow(clock, per_window=1, window_seconds=10)
    assert window.admit("a")
    assert not window.admit("a")
    clock.now += 11
    assert window.admit("a")  # a new window; the last one's count is kept for roll
    assert window.roll() == {"a": 1}


def test_flush_reports_the_open_window_and_restores_the_budget() -> None:
    window = LogWindow(Clock(), per_window=1, window_seconds=10)
    assert window.admit("a")
    assert not window.admit("b")
    assert window.flush() == {"b": 1}
    assert window.admit("a")


def test_at_most_per_window_lines_then_a_summary(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = RefusalLog(logging.getLogger("relay.test"), clock, per_window=3, window_seconds=60)
    with caplog.at_level(logging.WARNING, logger="relay.test"):
        for _ in range(10):
            log.refused("deposit", "rate_limited", "192.0.2.1")
        log.refused("subscription", "auth_failed", "192.0.2.2")
        assert len(caplog.records) == 3
        assert caplog.records[0].getMessage() == "refused deposit from 192.0.2.1: rate_limited"
        clock.now += 61
        log.roll()
        assert caplog.records[-1].getMessage() == (
            "refusals not logged individually: 1 auth_failed, 7 rate_limited"
        )
        log.refused("deposit", "mailbox_full", "192.0.2.3")
        assert caplog.records[-1].getMessage() == "refused deposit from 192.0.2.3: mailbox_full"


def test_the_refusal_log_is_bounded_over_a_long_flood(caplog: pytest.LogCaptureFixture) -> None:
    """A refusal every 100 ms for an hour: per window at most ``per_window`` lines and one
    summary, and the summaries account for every refusal not logged."""
    clock = Clock()
    log = RefusalLog(logging.getLogger("relay.flood"), clock, per_window=5, window_seconds=60)
    refusals = 36_000
    with caplog.at_level(logging.WARNING, logger="relay.flood"):
        for _ in range(refusals):
            log.refused("deposit", "rate_limited", "192.0.2.1")
            clock.now += 0.1
        log.flush()
    lines = [record.getMessage() for record in caplog.records]
    individual = [line for line in lines if line.startswith("refused ")]
    summaries = [line for line in lines if line.startswith("refusals not logged")]
    assert len(individual) <= 5 * 61
    assert len(summaries) <= 61
    summarised = sum(int(line.split(": ")[1].split()[0]) for line in summaries)
    assert len(individual) + summarised == refusals


def test_flush_summarises_the_open_window(caplog: pytest.LogCaptureFixture) -> None:
    log = RefusalLog(logging.getLogger("relay.flush"), Clock(), per_window=1)
    with caplog.at_level(logging.WARNING, logger="relay.flush"):
        log.refused("deposit", "too_large", "192.0.2.1")
        log.refused("deposit", "too_large", "192.0.2.1")
        log.flush()
        log.flush()  # nothing more to say
    assert [r.getMessage() for r in caplog.records] == [
        "refused deposit from 192.0.2.1: too_large",
        "refusals not logged individually: 1 too_large",
    ]


# --- MalformedRequestLogs ------------------------------------------------------------------


class BadRequest(Exception):
    """Stands in for the HTTP library's "cannot parse this request"."""


def record(error: BaseException | None, msg: str = "Error handling %s") -> logging.LogRecord:
    exc_info = (type(error), error, None) if error is not None else None
    return logging.LogRecord(
        "aiohttp.server", logging.ERROR, __file__, 1, msg, ("/v1/mailboxes/00ff",), exc_info
    )


def test_a_malformed_request_becomes_one_warning_without_its_bytes() -> None:
    filt = MalformedRequestLogs((BadRequest,), Clock())
    entry = record(BadRequest("GET /v1/mailboxes/00ff\r\n"))
    assert filt.filter(entry)
    assert entry.levelno == logging.WARNING
    assert entry.getMessage() == "dropped a malformed HTTP request (BadRequest)"
    assert entry.exc_info is None
    assert entry.exc_text is None


def test_malformed_request_logs_are_bounded_per_window() -> None:
    clock = Clock()
    filt = MalformedRequestLogs((BadRequest,), clock, per_window=20, window_seconds=60)
    kept = [filt.filter(record(BadRequest())) for _ in range(1000)]
    assert sum(kept) == 20
    clock.now += 60
    assert filt.filter(record(BadRequest()))


def test_other_records_pass_unchanged_unless_scrubbed() -> None:
    filt = MalformedRequestLogs((BadRequest,), Clock(), per_window=1)
    entry = record(ValueError("boom"))
    for _ in range(5):  # not counted against the budget
        assert filt.filter(entry)
    assert entry.getMessage() == "Error handling /v1/mailboxes/00ff"
    assert entry.exc_info is not None

    scrubbing = MalformedRequestLogs((BadRequest,), Clock(), per_window=2, scrub_others=True)
    entry = record(ValueError("boom"))
    assert scrubbing.filter(entry)
    assert entry.getMessage() == "aiohttp: ValueError"  # neither the path nor the traceback
    assert entry.exc_info is None
    assert entry.levelno == logging.ERROR
    fixed = record(None, "a fixed text")
    fixed.args = ()
    assert scrubbing.filter(fixed)
    assert fixed.getMessage() == "a fixed text"
    assert not scrubbing.filter(record(None))  # the budget is shared and spent


def test_the_filter_installs_on_a_logger(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("admission.test")
    filt = MalformedRequestLogs((BadRequest,), Clock(), per_window=2)
    logger.addFilter(filt)
    try:
        with caplog.at_level(logging.INFO, logger="admission.test"):
            for _ in range(5):
                try:
                    raise BadRequest("secret bytes")
                except BadRequest:
                    logger.error("Error handling request", exc_info=sys.exc_info())
    finally:
        logger.removeFilter(filt)
    assert [r.getMessage() for r in caplog.records] == [
        "dropped a malformed HTTP request (BadRequest)"
    ] * 2
    assert "secret bytes" not in caplog.text
