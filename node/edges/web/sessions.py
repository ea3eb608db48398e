"""One-time login links and the sessions they become (the Jupyter pattern).

`releve ouvrir` asks the local API for a login link; its token is single use and expires
within a minute. Opening it creates a new session (any session the browser presented is
dropped first: the session id is always fresh at login, so a planted one is useless). A
session ends after :data:`IDLE_SECONDS` without a page or a form from the person, and after
:data:`LIFETIME_SECONDS` in any case. Everything is in memory: a restarted node asks for a
new link. The clock is a parameter (tests move it).

On a clinic server (docs/operations.md, "Serveur de cabinet / Clinic server") a session is a
person's: :meth:`Sessions.open` after their name and password (node.core.accounts), never a
link. It is bound to the address it was opened from (a cookie shown from elsewhere ends it:
the caller checks, :meth:`Session.from_elsewhere`), and instead of ending when idle it
*locks* after ``lock_seconds`` without the person: the page stays, but nothing is served
until the password is typed again (:meth:`Sessions.unlock`). Each session has a public
``handle`` (never the cookie's value) by which the person or an admin lists and ends it.
"""

from __future__ import annotations

import hmac
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

LOGIN_TOKEN_SECONDS: Final = 50.0
IDLE_SECONDS: Final = 30 * 60.0
LIFETIME_SECONDS: Final = 12 * 3600.0
# Bounds: a script minting links in a loop, or a browser logging in again and again, must
# not grow the node's memory.
MAX_LOGIN_TOKENS: Final = 16
MAX_SESSIONS: Final = 64
# A clinic server's people: a whole practice (the benchmark: 50 people at once), and
# one person's logins never push out a colleague's (the oldest of their own go first).
MAX_PEOPLE_SESSIONS: Final = 1024
MAX_SESSIONS_PER_PERSON: Final = 16

Clock = Callable[[], float]


@dataclass
class Session:
    session_id: str
    csrf: str
    created_at: float
    seen_at: float
    account_id: str | None = None  # a clinic server's person; None: the single user
    address: str = ""  # where it was opened from (a clinic server's sessions only)
    handle: str = field(default_factory=lambda: secrets.token_hex(8))
    lock_after: float | None = None  # seconds idle before it locks (clinic server)
    locked: bool = False

    def from_elsewhere(self, address: str) -> bool:
        """Shown from another address than the one it was opened from (clinic server)."""
        return self.account_id is not None and not hmac.compare_digest(
            self.address.encode(), address.encode("utf-8", "surrogateescape")
        )


class Sessions:
    def __init__(
        self,
        clock: Clock,
        *,
        idle_seconds: float = IDLE_SECONDS,
        token_seconds: float = LOGIN_TOKEN_SECONDS,
        lock_seconds: float | None = None,
    ) -> None:
        self._clock = clock
        self.idle_seconds = idle_seconds
        self.lock_seconds = lock_seconds  # a clinic server's idle lock
        self.token_seconds = token_seconds
        self._tokens: OrderedDict[str, float] = OrderedDict()  # token -> expiry
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        # Told the ids of sessions ended on purpose (their live channels close at once).
        self._ended: list[Callable[[set[str]], None]] = []

    def on_end(self, listener: Callable[[set[str]], None]) -> None:
        self._ended.append(listener)

    def _told(self, ended: set[str]) -> None:
        if ended:
            for listener in self._ended:
                listener(ended)

    def mint_token(self) -> tuple[str, float]:
        """A new single-use login token and when it expires."""
        now = self._clock()
        self._forget_expired_tokens(now)
        while len(self._tokens) >= MAX_LOGIN_TOKENS:
            self._tokens.popitem(last=False)
        token = secrets.token_urlsafe(32)
        expires_at = now + self.token_seconds
        self._tokens[token] = expires_at
        return token, expires_at

    def _forget_expired_tokens(self, now: float) -> None:
        for token in [t for t, expiry in self._tokens.items() if expiry <= now]:
            del self._tokens[token]

    def log_in(self, token: str, previous: str | None) -> Session | None:
        """Spends ``token``: a new session, or None (unknown, used or expired token). The
        session the browser presented, if any, ends: a login always rotates the id."""
        now = self._clock()
        self._forget_expired_tokens(now)
        found = None
        for known in self._tokens:
            if hmac.compare_digest(known.encode(), token.encode("utf-8", "surrogateescape")):
                found = known
        if found is None:
            return None
        del self._tokens[found]
        return self._new(previous, Session(*self._fresh(), now, now))

    def open(self, account_id: str, previous: str | None, address: str) -> Session:
        """A person logged in (clinic server): a new session, with a new id and CSRF token
        whatever the browser presented (no fixation); the one it presented ends."""
        now = self._clock()
        session = Session(*self._fresh(), now, now, account_id, address)
        session.lock_after = self.lock_seconds
        theirs = [s for s in self._sessions.values() if s.account_id == account_id]
        for old in theirs[: max(0, len(theirs) - MAX_SESSIONS_PER_PERSON + 1)]:
            self.end(old.session_id)
        return self._new(previous, session)

    @staticmethod
    def _fresh() -> tuple[str, str]:
        return secrets.token_urlsafe(32), secrets.token_urlsafe(32)

    def _new(self, previous: str | None, session: Session) -> Session:
        if previous is not None:
            self.end(previous)
        limit = MAX_SESSIONS if session.account_id is None else MAX_PEOPLE_SESSIONS
        while len(self._sessions) >= limit:
            self.end(next(iter(self._sessions)))
        self._sessions[session.session_id] = session
        return session

    def get(self, session_id: str | None, *, touch: bool) -> Session | None:
        """The live session of that id; ``touch`` when the person did something (a page,
        a form), not for what the screen does alone (live refreshes)."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        idle = now - session.seen_at
        # A person's session locks instead of ending: their page keeps a half-written form.
        expired = idle > self.idle_seconds and session.lock_after is None
        if expired or now - session.created_at > LIFETIME_SECONDS:
            del self._sessions[session_id]
            return None
        if session.lock_after is not None and idle > session.lock_after:
            session.locked = True
        if touch and not session.locked:
            session.seen_at = now
            self._sessions.move_to_end(session_id)
        return session

    def unlock(self, session: Session) -> None:
        """The person typed their password again."""
        session.locked = False
        session.seen_at = self._clock()
        self._sessions.move_to_end(session.session_id)

    def of_account(self, account_id: str) -> list[Session]:
        """A person's live sessions, oldest first."""
        return [s for s in self.people() if s.account_id == account_id]

    def people(self) -> list[Session]:
        """Every person's session (clinic server), oldest first."""
        live = [self.get(s.session_id, touch=False) for s in list(self._sessions.values())]
        return [s for s in live if s is not None and s.account_id is not None]

    def by_handle(self, handle: str) -> Session | None:
        for session in self._sessions.values():
            if hmac.compare_digest(session.handle.encode(), handle.encode("utf-8", "replace")):
                return session
        return None

    def end_account(self, account_id: str) -> list[Session]:
        """Ends every session of a person (disabled, reset): returns them."""
        ended = self.of_account(account_id)
        for session in ended:
            self._sessions.pop(session.session_id, None)
        self._told({session.session_id for session in ended})
        return ended

    def alive(self, session: Session) -> bool:
        return self.get(session.session_id, touch=False) is session

    def end(self, session_id: str) -> None:
        if self._sessions.pop(session_id, None) is not None:
            self._told({session_id})
