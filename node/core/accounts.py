"""The people of a clinic server (docs/operations.md, "Serveur de cabinet / Clinic server"):
their accounts, passwords, logins, and who is acting when something is recorded.

- An :class:`Account` has a random opaque id (``account_id``, 32 hex digits: mailboxes and
  the audit log refer to it), a name (unique, case aside), a role (clinician, secretary,
  admin), an optional RPPS number, and can be disabled.
- A new (or reset) account has no password: the operator gets a one-time setup code (and the
  web client's link carrying it) with which the person chooses one. The code is kept hashed,
  is single use and expires; a password never travels on a command line or in a log.
- Passwords are hashed with Argon2id (libsodium through PyNaCl), verified in a worker thread,
  at most :data:`MAX_CONCURRENT_HASHES` at a time (each takes 64 MiB).
- Logins are slowed per account and per address (:class:`Throttle`); every checked failure
  is logged (the account id and the address, never what was typed) and audited.
- Who is acting: an edge that authenticated a person runs the request under
  :func:`acting_as`; the store records an event of the node's user ("local") as that
  person's (:func:`actor_for`). Outside (the operator's local API, background work) it stays
  "local".

The records are encrypted at rest by the store, like every other secret column.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from typing import Final, Protocol

import nacl.exceptions
import nacl.pwhash.argon2id as argon2id

from node.core.errors import Conflict, Invalid, NotFound, RequestError, store_unavailable
from node.core.ports import Change, Clock
from node.protocol.errors import ClinicalError
from node.protocol.identifiers import check_rpps
from node.protocol.validation import check_line

log = logging.getLogger(__name__)

ROLES: Final = ("clinician", "secretary", "admin")
ACCOUNT_ID_BYTES: Final = 16
MAX_ACCOUNTS: Final = 1000  # a practice has a few dozen people; bounded all the same
MAX_NAME_CHARS: Final = 80
MIN_PASSWORD_CHARS: Final = 10
MAX_PASSWORD_CHARS: Final = 256  # bounded: Argon2id's input, and what a form may carry
SETUP_SECONDS: Final = 72 * 3600.0  # a setup code lasts a long weekend
MAX_CONCURRENT_HASHES: Final = 2
# The audit actor of an account: "account:" and its id (docs/audit.md).
ACTOR_PREFIX: Final = "account:"
ANONYMOUS: Final = "anonymous"  # a failed login naming no account


class LoginRefused(RequestError):
    """A login, an unlock or a setup that does not go through. ``retry_after`` (seconds) is
    set when it was slowed down: the password was not even checked."""

    def __init__(self, code: str, message: str, retry_after: float = 0.0) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    role: str
    rpps: str | None
    disabled: bool
    created_at: float

    @property
    def actor(self) -> str:
        return ACTOR_PREFIX + self.account_id

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SetupCode:
    """What the operator hands to a person: the code (shown once, kept hashed)."""

    account: Account
    code: str
    expires_at: float


@dataclass(frozen=True)
class _Secrets:
    password: bytes | None  # the Argon2id string, or None before setup
    setup_hash: bytes | None  # SHA-256 of the setup code (high entropy: a fast hash fits)
    setup_expires_at: float


# --- who is acting ----------------------------------------------------------------------

_ACTING: ContextVar[str | None] = ContextVar("releve_acting_account", default=None)


@contextlib.contextmanager
def acting_as(account: Account | None) -> Iterator[None]:
    """Everything recorded inside (in this task, and tasks it starts) is that person's."""
    token = _ACTING.set(None if account is None else account.account_id)
    try:
        yield
    finally:
        _ACTING.reset(token)


def set_acting(account: Account | None) -> None:
    """For an edge whose request already runs inside an :func:`acting_as` block (which
    resets it): from here on, the request is that person's."""
    _ACTING.set(None if account is None else account.account_id)


def set_acting_for_request() -> Token[str | None]:
    """At the start of an edge's request: nobody acts yet (a keep-alive connection runs its
    requests in one task); give the token back to :func:`reset_acting` at its end."""
    return _ACTING.set(None)


def reset_acting(token: Token[str | None]) -> None:
    _ACTING.reset(token)


def acting_account() -> str | None:
    return _ACTING.get()


def actor_for(actor: str) -> str:
    """The audit actor of an event: "local" (the node's user) becomes the person acting."""
    acting = _ACTING.get()
    return ACTOR_PREFIX + acting if actor == "local" and acting is not None else actor


def is_account_actor(actor: str) -> bool:
    body = actor.removeprefix(ACTOR_PREFIX)
    return (
        actor.startswith(ACTOR_PREFIX)
        and len(body) == 2 * ACCOUNT_ID_BYTES
        and all(c in "0123456789abcdef" for c in body)
    )


# --- passwords ------------------------------------------------------------------------------


class PasswordHasher:
    """Argon2id through libsodium, off the event loop and bounded in concurrency. Tests give
    smaller limits (the stored string carries its own, so verifying follows them)."""

    def __init__(
        self,
        opslimit: int = argon2id.OPSLIMIT_INTERACTIVE,
        memlimit: int = argon2id.MEMLIMIT_INTERACTIVE,
    ) -> None:
        self.opslimit = opslimit
        self.memlimit = memlimit
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_HASHES)
        self._dummy: bytes | None = None

    async def hash(self, password: str) -> bytes:
        data = password.encode("utf-8")
        async with self._slots:
            return await asyncio.to_thread(argon2id.str, data, self.opslimit, self.memlimit)

    async def verify(self, stored: bytes | None, password: str) -> bool:
        """Whether ``password`` matches; with nothing stored, the same work is done against
        a throwaway hash, so that timing does not tell which names exist."""
        if stored is None:
            if self._dummy is None:
                self._dummy = await self.hash(secrets.token_urlsafe(16))
            stored = self._dummy
            real = False
        else:
            real = True
        data = password.encode("utf-8", "surrogateescape")
        async with self._slots:
            try:
                ok = await asyncio.to_thread(argon2id.verify, stored, data)
            except (nacl.exceptions.InvalidkeyError, nacl.exceptions.RuntimeError):
                ok = False
        return ok and real


# --- slowing logins down ------------------------------------------------------------------


@dataclass
class _Failures:
    count: int
    last_at: float


class Throttle:
    """Failed attempts per key (an account, an address): the first ``free`` are free, then
    each attempt waits twice as long as the previous one, up to ``max_delay``; failures are
    forgotten ``forget_after`` seconds after the last one. Bounded: the oldest keys go."""

    def __init__(
        self,
        free: int,
        *,
        base_delay: float = 1.0,
        max_delay: float = 900.0,
        forget_after: float = 900.0,
        max_keys: int = 4096,
    ) -> None:
        self.free = free
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.max_keys = max_keys
        self._keys: OrderedDict[str, _Failures] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        """Seconds to wait before ``key`` may try again (0: now)."""
        failures = self._keys.get(key)
        if failures is None:
            return 0.0
        if now - failures.last_at >= max(self.forget_after, self._delay(failures.count)):
            del self._keys[key]
            return 0.0
        return max(0.0, failures.last_at + self._delay(failures.count) - now)

    def _delay(self, count: int) -> float:
        if count < self.free:
            return 0.0
        return min(self.base_delay * 2.0 ** (count - self.free), self.max_delay)

    def failed(self, key: str, now: float) -> int:
        failures = self._keys.pop(key, None)
        count = 1 if failures is None else failures.count + 1
        self._keys[key] = _Failures(count, now)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)
        return count

    def succeeded(self, key: str) -> None:
        self._keys.pop(key, None)


# --- the store's part ------------------------------------------------------------------------

# An audit event about an account: (event, actor, subject account id).
AccountEvent = tuple[str, str, str | None]


@dataclass(frozen=True)
class Action:
    """An audit entry, as a person's own list shows it (docs/audit.md)."""

    position: int
    at: float
    event: str
    contact_id: bytes | None
    message_id: bytes | None
    subject: str | None


class AccountStore(Protocol):
    """What node.storage.store.Store gives the accounts: their encrypted records, and a
    commit whose audit entries name the account they are about (docs/audit.md)."""

    async def account_records(self) -> list[tuple[str, bytes, float]]: ...
    def put_account(self, account_id: str, record: bytes, created_at: float) -> Change: ...
    def submit_account(
        self, changes: Sequence[Change], events: Iterable[AccountEvent], now: float
    ) -> asyncio.Future[None]: ...
    async def audit_of(self, actor: str, limit: int) -> list[Action]: ...


def _encode(account: Account, kept: _Secrets) -> bytes:
    return json.dumps(
        {
            "name": account.name,
            "role": account.role,
            "rpps": account.rpps,
            "disabled": account.disabled,
            "password": None if kept.password is None else kept.password.decode("ascii"),
            "setup_hash": None if kept.setup_hash is None else kept.setup_hash.hex(),
            "setup_expires_at": kept.setup_expires_at,
        },
        separators=(",", ":"),
    ).encode()


def _decode(account_id: str, record: bytes, created_at: float) -> tuple[Account, _Secrets]:
    item = json.loads(record)
    account = Account(
        account_id, item["name"], item["role"], item["rpps"], bool(item["disabled"]), created_at
    )
    password = item["password"]
    setup_hash = item["setup_hash"]
    kept = _Secrets(
        None if password is None else password.encode("ascii"),
        None if setup_hash is None else bytes.fromhex(setup_hash),
        float(item["setup_expires_at"]),
    )
    return account, kept


def _code_hash(code: str) -> bytes:
    return hashlib.sha256(
        b"releve/setup-code/v1\x00" + code.encode("utf-8", "surrogateescape")
    ).digest()


def check_password(password: object) -> str:
    if not isinstance(password, str):
        raise Invalid("password_invalid", "the password must be text")
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(
            "password_too_short", f"the password needs at least {MIN_PASSWORD_CHARS} characters"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise Invalid(
            "password_too_long", f"the password has more than {MAX_PASSWORD_CHARS} characters"
        )
    return password


# Ends what an account had open (its web sessions, their live channels): called at once when
# the account is disabled or reset.
EndedListener = Callable[[str], None]


class Accounts:
    """The accounts of this node, held in memory (a practice has a few dozen people)."""

    def __init__(
        self,
        store: AccountStore,
        clock: Clock,
        *,
        hasher: PasswordHasher | None = None,
        account_throttle: Throttle | None = None,
        address_throttle: Throttle | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.hasher = hasher or PasswordHasher()
        # An account is slowed after 5 failures in a row; an address (several people share
        # 127.0.0.1 on a Remote Desktop server) after 20.
        self.account_throttle = account_throttle or Throttle(5)
        self.address_throttle = address_throttle or Throttle(20)
        self._accounts: dict[str, Account] = {}
        self._secrets: dict[str, _Secrets] = {}
        self._ended: list[EndedListener] = []
        self._lock = asyncio.Lock()  # one change at a time: names stay unique

    async def load(self) -> None:
        for account_id, record, created_at in await self._store.account_records():
            account, kept = _decode(account_id, record, created_at)
            self._accounts[account_id] = account
            self._secrets[account_id] = kept

    def on_ended(self, listener: EndedListener) -> None:
        self._ended.append(listener)

    # --- reading ------------------------------------------------------------------------

    def everyone(self) -> list[Account]:
        return sorted(self._accounts.values(), key=lambda a: (a.name.casefold(), a.account_id))

    def get(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def by_name(self, name: str) -> Account | None:
        wanted = name.strip().casefold()
        for account in self._accounts.values():
            if account.name.casefold() == wanted:
                return account
        return None

    def resolve(self, reference: str) -> Account:
        """An account by its id or its name."""
        account = self._accounts.get(reference) or self.by_name(reference)
        if account is None:
            raise NotFound("user_not_found", "no user with that name or id")
        return account

    def has_password(self, account_id: str) -> bool:
        kept = self._secrets.get(account_id)
        return kept is not None and kept.password is not None

    def setup_pending(self, account_id: str) -> bool:
        kept = self._secrets.get(account_id)
        return kept is not None and kept.setup_hash is not None

    # --- the operator's changes ---------------------------------------------------------

    async def add(self, name: object, role: object, rpps: object = None) -> SetupCode:
        try:
            clean_name = check_line(name, "name", MAX_NAME_CHARS)
        except ClinicalError:
            raise Invalid(
                "name_invalid", f"the name must be one line of at most {MAX_NAME_CHARS} characters"
            ) from None
        if role not in ROLES:
            raise Invalid("role_invalid", "the role must be clinician, secretary or admin")
        clean_rpps = None
        if rpps is not None and rpps != "":
            if not isinstance(rpps, str):
                raise Invalid("rpps_invalid", "the RPPS number must be text")
            try:
                clean_rpps = check_rpps(rpps)
            except ClinicalError:
                raise Invalid(
                    "rpps_invalid", "the RPPS number must be 11 digits with a valid check digit"
                ) from None
            if role != "clinician":
                raise Invalid("rpps_invalid", "only a clinician has an RPPS number")
        async with self._lock:
            if self.by_name(clean_name) is not None:
                raise Conflict("name_taken", "a user already has that name")
            if len(self._accounts) >= MAX_ACCOUNTS:
                raise Conflict("too_many_users", f"at most {MAX_ACCOUNTS} users")
            account = Account(
                secrets.token_hex(ACCOUNT_ID_BYTES),
                clean_name,
                str(role),
                clean_rpps,
                False,
                self._clock(),
            )
            code, kept = self._new_setup(None)
            await self._save(account, kept, "user_added")
        return SetupCode(account, code, kept.setup_expires_at)

    def _new_setup(self, password: bytes | None) -> tuple[str, _Secrets]:
        code = secrets.token_urlsafe(18)
        return code, _Secrets(password, _code_hash(code), self._clock() + SETUP_SECONDS)

    async def disable(self, reference: str) -> Account:
        async with self._lock:
            account = replace(self.resolve(reference), disabled=True)
            await self._save(account, self._secrets[account.account_id], "user_disabled")
        self._end(account.account_id)
        return account

    async def enable(self, reference: str) -> Account:
        async with self._lock:
            account = replace(self.resolve(reference), disabled=False)
            await self._save(account, self._secrets[account.account_id], "user_enabled")
        return account

    async def reset(self, reference: str) -> SetupCode:
        """Forgets the password (a forgotten one, or one that leaked): every session of the
        account ends, and a new setup code lets the person choose another."""
        async with self._lock:
            account = self.resolve(reference)
            code, kept = self._new_setup(None)
            await self._save(account, kept, "user_reset")
        self._end(account.account_id)
        return SetupCode(account, code, kept.setup_expires_at)

    def _end(self, account_id: str) -> None:
        for listener in self._ended:
            listener(account_id)

    async def _save(self, account: Account, kept: _Secrets, event: str) -> None:
        store = self._store
        change = store.put_account(account.account_id, _encode(account, kept), account.created_at)
        now = self._clock()
        try:
            await store.submit_account(
                [change], [(event, actor_for("local"), account.account_id)], now
            )
        except Exception as exc:
            raise store_unavailable(exc) from None
        self._accounts[account.account_id] = account
        self._secrets[account.account_id] = kept

    async def record(self, event: str, account: Account | None) -> None:
        """An audit entry about a person with no change: a login, a failure, a logout."""
        actor = ANONYMOUS if account is None else account.actor
        events = [(event, actor, None if account is None else account.account_id)]
        try:
            await self._store.submit_account([], events, self._clock())
        except Exception as exc:
            raise store_unavailable(exc) from None

    def note(self, event: str, account: Account, by: str | None = None) -> None:
        """An entry about ``account`` from code that cannot wait (a request refused on the
        spot, a session ended): committed in order; a failure to save it is logged. ``by``:
        the actor, if not the account itself."""
        events = [(event, by or account.actor, account.account_id)]
        future = self._store.submit_account([], events, self._clock())
        future.add_done_callback(_log_failure)

    async def actions(self, account: Account, limit: int = 200) -> list[Action]:
        """What the person did, newest first (docs/audit.md): their own list."""
        return await self._store.audit_of(account.actor, limit)

    # --- the person -----------------------------------------------------------------------

    def account_for_code(self, code: str) -> Account:
        """The account a setup code is for (before the person chooses a password)."""
        wanted = _code_hash(code)
        now = self._clock()
        for account_id, kept in self._secrets.items():
            if kept.setup_hash is not None and hmac.compare_digest(kept.setup_hash, wanted):
                account = self._accounts[account_id]
                if kept.setup_expires_at <= now:
                    break
                if account.disabled:
                    raise LoginRefused("disabled", "this account is disabled")
                return account
        raise LoginRefused("setup_code_invalid", "this setup code is unknown, used or expired")

    async def set_password(self, code: str, password: str) -> Account:
        """The person chose their password with their setup code (used up here)."""
        check_password(password)
        account = self.account_for_code(code)
        hashed = await self.hasher.hash(password)
        async with self._lock:
            # The code may have been used or replaced while hashing.
            if self.account_for_code(code) != account:
                raise LoginRefused("setup_code_invalid", "this setup code was just used")
            with acting_as(account):
                await self._save(account, _Secrets(hashed, None, 0.0), "password_set")
        return account

    async def change_password(self, account: Account, current: str, new: str, address: str) -> bool:
        """The person changes their own password: the current one is checked like a login
        (slowed, counted, audited); False when it is wrong. Their other sessions end (the
        caller ends them: a password changed because it leaked must lock out whoever has it)."""
        check_password(new)
        if not await self.check(account, current, address):
            return False
        hashed = await self.hasher.hash(new)
        async with self._lock:
            fresh = self._accounts.get(account.account_id)
            if fresh is None or fresh.disabled:
                return False
            with acting_as(fresh):
                await self._save(fresh, _Secrets(hashed, None, 0.0), "password_set")
        return True

    async def log_in(self, name: str, password: str, address: str, event: str = "login") -> Account:
        """The account whose name and password these are, or :class:`LoginRefused`
        (``login_failed``, or ``too_many_attempts`` with a delay). Every checked failure is
        logged and audited; a slowed attempt is refused without checking anything."""
        now = self._clock()
        account = self.by_name(name) if len(name) <= MAX_NAME_CHARS else None
        account_key = "?" if account is None else account.account_id
        wait = max(
            self.address_throttle.wait(address, now),
            0.0 if account is None else self.account_throttle.wait(account_key, now),
        )
        if wait > 0:
            raise LoginRefused("too_many_attempts", "too many failed attempts", wait)
        kept = None if account is None else self._secrets.get(account.account_id)
        stored = None if kept is None else kept.password
        ok = len(password) <= MAX_PASSWORD_CHARS and await self.hasher.verify(stored, password)
        if account is not None and account.disabled:
            ok = False
        if not ok:
            now = self._clock()
            by_address = self.address_throttle.failed(address, now)
            by_account = 0 if account is None else self.account_throttle.failed(account_key, now)
            # Never what was typed: a password typed in the name field must not reach a log.
            log.warning(
                "failed web login for %s from %s (%d in a row for it, %d from there)",
                "an unknown name" if account is None else f"account {account.account_id}",
                address,
                by_account,
                by_address,
            )
            await self.record("login_failed", account)
            raise LoginRefused("login_failed", "wrong name or password")
        assert account is not None
        self.account_throttle.succeeded(account_key)
        await self.record(event, account)
        return account

    async def check(self, account: Account, password: str, address: str) -> bool:
        """The password again (unlocking an idle screen): slowed and counted like a login."""
        try:
            await self.log_in(account.name, password, address, "unlocked")
        except LoginRefused as refused:
            if refused.code == "too_many_attempts":
                raise
            return False
        return True


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("an audit entry about an account could not be saved: %s", future.exception())
