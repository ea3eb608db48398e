"""The refusal log is bounded and names reasons and sources, nothing else."""

from __future__ import annotations

import logging

import pytest

from relay.protocol import ErrorCode
from relay.refusals import HTTP_STATUS, RefusalLog


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_at_most_per_window_lines_then_a_summary(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = RefusalLog(logging.getLogger("relay.test"), clock, per_window=3, window_seconds=60)
    with caplog.at_level(logging.WARNING, logger="relay.test"):
        for _ in range(10):
            log.refused("deposit", ErrorCode.RATE_LIMITED, "192.0.2.1")
        log.refused("subscription", ErrorCode.AUTH_FAILED, "192.0.2.2")
        assert len(caplog.records) == 3
        assert caplog.records[0].getMessage() == "refused deposit from 192.0.2.1: rate_limited"
        clock.now += 61
        log.roll()
        assert caplog.records[-1].getMessage() == (
            "refusals not logged individually: 1 auth_failed, 7 rate_limited"
        )
        log.refused("deposit", ErrorCode.MAILBOX_FULL, "192.0.2.3")
        assert caplog.records[-1].getMessage() == "refused deposit from 192.0.2.3: mailbox_full"


def test_every_error_code_has_an_http_status() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)
