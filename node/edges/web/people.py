"""The person behind a session, on a clinic server (node.core.accounts): every request of a
person's session passes here (pages.py, :meth:`Pages.session`).

- The account must exist and be enabled: a disabled person's sessions end at once (and their
  live channels close: app.py listens to :meth:`Accounts.on_ended`); one found here anyway
  ends too.
- A session is bound to the address it was opened from: its cookie shown from another
  address (copied to another workstation, stolen) ends it, is logged and audited
  ("session_refused"), and the person logs in again. Several people on one Remote Desktop
  server share 127.0.0.1: their sessions are told apart by their cookies, and each still
  needs its own login.
- From here on the request is that person's: what it records names their account
  (node.core.accounts.acting_as, docs/audit.md).
"""

from __future__ import annotations

import logging

from aiohttp import web

from node.core.accounts import Account, Accounts, set_acting
from node.edges.web.sessions import Session, Sessions

log = logging.getLogger(__name__)


class SessionRefused(Exception):
    """The session is not (or no longer) a person's: log in again."""


class People:
    def __init__(self, accounts: Accounts, sessions: Sessions) -> None:
        self.accounts = accounts
        self.sessions = sessions

    def person(self, request: web.Request, session: Session) -> Account:
        account_id = session.account_id
        account = None if account_id is None else self.accounts.get(account_id)
        if account is None or account.disabled:
            self.sessions.end(session.session_id)
            raise SessionRefused
        address = request.remote or "?"
        if session.from_elsewhere(address):
            self.sessions.end(session.session_id)
            log.warning(
                "a session of account %s was shown from %s, not %s where it was opened:"
                " ended (the person logs in again)",
                account.account_id,
                address,
                session.address,
            )
            self.accounts.note("session_refused", account)
            raise SessionRefused
        set_acting(account)
        return account
