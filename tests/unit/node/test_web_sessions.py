"""The web client's login links and sessions (node/edges/web/sessions.py), with a clock the
test moves: single use, expiry within a minute, rotation at login, idle expiry."""

from __future__ import annotations

from node.edges.web.sessions import (
    IDLE_SECONDS,
    LOGIN_TOKEN_SECONDS,
    MAX_SESSIONS_PER_PERSON,
    Sessions,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_login_link_works_once() -> None:
    sessions = Sessions(Clock())
    token, _ = sessions.mint_token()
    assert sessions.log_in(token, None) is not None
    assert sessions.log_in(token, None) is None


def test_a_login_link_expires_within_a_minute() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    token, expires_at = sessions.mint_token()
    assert expires_at - clock.now == LOGIN_TOKEN_SECONDS < 60
    clock.now += LOGIN_TOKEN_SECONDS + 0.001
    assert sessions.log_in(token, None) is None


def test_an_unknown_token_opens_nothing() -> None:
    sessions = Sessions(Clock())
    sessions.mint_token()
    assert sessions.log_in("guessed", None) is None
    assert sessions.log_in("", None) is None


def test_logging_in_again_ends_the_session_the_browser_had() -> None:
    sessions = Sessions(Clock())
    first = sessions.log_in(sessions.mint_token()[0], None)
    assert first is not None
    second = sessions.log_in(sessions.mint_token()[0], first.session_id)
    assert second is not None
    assert second.session_id != first.session_id
    assert second.csrf != first.csrf
    assert sessions.get(first.session_id, touch=True) is None
    assert sessions.get(second.session_id, touch=True) is second


def test_an_idle_session_expires_and_activity_keeps_it() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    session = sessions.log_in(sessions.mint_token()[0], None)
    assert session is not None
    clock.now += IDLE_SECONDS - 1
    assert sessions.get(session.session_id, touch=True) is session  # the person did something
    clock.now += IDLE_SECONDS - 1
    # Live refreshes (touch=False) do not keep it alive.
    assert sessions.get(session.session_id, touch=False) is session
    clock.now += 2
    assert sessions.get(session.session_id, touch=False) is None
    assert not sessions.alive(session)


def test_minted_links_are_bounded() -> None:
    sessions = Sessions(Clock())
    tokens = [sessions.mint_token()[0] for _ in range(100)]
    assert sessions.log_in(tokens[0], None) is None  # the oldest were dropped
    assert sessions.log_in(tokens[-1], None) is not None


def test_a_person_s_logins_never_push_out_a_colleague_s() -> None:
    """A clinic server (issue #15): up to 16 sessions a person, their own oldest ended first;
    told to the web client (their live channels close)."""
    sessions = Sessions(Clock(), lock_seconds=600)
    ended: list[set[str]] = []
    sessions.on_end(ended.append)
    colleague = sessions.open("b" * 32, None, "10.0.0.2")
    mine = [sessions.open("a" * 32, None, "10.0.0.1") for _ in range(MAX_SESSIONS_PER_PERSON)]
    assert sessions.get(mine[0].session_id, touch=False) is mine[0]
    newest = sessions.open("a" * 32, None, "10.0.0.1")
    assert sessions.get(mine[0].session_id, touch=False) is None
    assert ended == [{mine[0].session_id}]
    assert sessions.get(colleague.session_id, touch=False) is colleague
    assert len(sessions.of_account("a" * 32)) == MAX_SESSIONS_PER_PERSON
    assert newest.lock_after == 600
    assert newest.csrf != colleague.csrf
