"""One-time login links and the sessions they become (the Jupyter pattern).

`releve ouvrir` asks the local API for a login link; its token is single use and expires
within a minute. Opening it creates a new session (any session the browser presented is
dropped first: the session id is always fresh at login, so a planted one is useless). A
session ends after :data:`IDLE_SECONDS` without a page or a form from the person, and after
:data:`LIFETIME_SECONDS` in any case. Everything is in memory: a restarted node asks for a
new link. The clock is a parameter (tests move it).
"""

from __future__ import annotations

import hmac
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

LOGIN_TOKEN_SECONDS: Final = 50.0
IDLE_SECONDS: Final = 30 * 60.0
LIFETIME_SECONDS: Final = 12 * 3600.0
# Bounds: a script minting links in a loop, or a browser logging in again and again, must
# not grow the node's memory.
MAX_LOGIN_TOKENS: Final = 16
MAX_SESSIONS: Final = 64

Clock = Callable[[], float]


@dataclass
class Session:
    session_id: str
    csrf: str
    created_at: float
    seen_at: float


class Sessions:
    def __init__(
        self,
        clock: Clock,
        *,
        idle_seconds: float = IDLE_SECONDS,
        token_seconds: float = LOGIN_TOKEN_SECONDS,
    ) -> None:
        self._clock = clock
        self.idle_seconds = idle_seconds
        self.token_seconds = token_seconds
        self._tokens: OrderedDict[str, float] = OrderedDict()  # token -> expiry
        self._sessions: OrderedDict[str, Session] = OrderedDict()

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
        if previous is not None:
            self._sessions.pop(previous, None)
        while len(self._sessions) >= MAX_SESSIONS:
            self._sessions.popitem(last=False)
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now)
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
        if now - session.seen_at > self.idle_seconds or now - session.created_at > LIFETIME_SECONDS:
            del self._sessions[session_id]
            return None
        if touch:
            session.seen_at = now
            self._sessions.move_to_end(session_id)
        return session

    def alive(self, session: Session) -> bool:
        return self.get(session.session_id, touch=False) is session

    def end(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)
