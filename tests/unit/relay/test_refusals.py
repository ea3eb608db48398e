"""The relay's refusals: every error code has an HTTP status, and refusals are logged by
reason code through the protocol core's bounded log (tested in
tests/unit/protocol/test_protocol_admission.py)."""

from __future__ import annotations

import logging

import pytest

from node.protocol.admission import RateLimiter, RefusalLog
from node.protocol.relay_wire import ErrorCode
from relay.refusals import HTTP_STATUS, code_name, rate_limited


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_every_error_code_has_an_http_status() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)


def test_a_rate_limited_answer_is_logged_by_code_and_says_when_to_come_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    log = RefusalLog(logging.getLogger("relay.test"), clock, per_window=1, window_seconds=60)
    limiter = RateLimiter(rate=0.5, burst=1, clock=clock)
    assert limiter.allow("192.0.2.1")
    with caplog.at_level(logging.WARNING, logger="relay.test"):
        response = rate_limited(log, limiter, "deposit", "192.0.2.1", "slow down")
        rate_limited(log, limiter, "deposit", "192.0.2.1", "slow down")
        clock.now += 60
        log.roll()
    assert response.status == 429
    assert response.headers["Retry-After"] == "2"
    assert [r.getMessage() for r in caplog.records] == [
        "refused deposit from 192.0.2.1: rate_limited",
        "refusals not logged individually: 1 rate_limited",
    ]
    assert code_name(ErrorCode.TOO_MANY_CONNECTIONS) == "too_many_connections"
