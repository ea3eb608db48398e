"""The Double Ratchet (Signal's specification, revision 4), on X25519, HKDF-SHA256 and
XChaCha20-Poly1305 (docs/protocol.md §8).

Differences from the specification's pseudocode are deliberate and small:
- each stored skipped-message key carries the time it was stored and expires after
  :data:`SKIPPED_KEY_TTL_SECONDS`; at most :data:`MAX_SKIPPED_KEYS` are kept (oldest first out);
- the last receiving chains are remembered (their public key and length) so that a
  duplicate is told apart from a forgery;
- decryption is transactional: on any error the state is exactly as before (§3.5 of the spec).
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from .errors import (
    CorruptState,
    DecryptionFailed,
    DuplicateMessage,
    LocalProtocolError,
    MalformedInput,
    TooManySkipped,
)
from .kdf import kdf_ck, kdf_rk, message_key_material
from .primitives import (
    AEAD_TAG_SIZE,
    KEY_SIZE,
    RandomSource,
    aead_decrypt,
    aead_encrypt,
    x25519,
    x25519_private,
    x25519_public,
)
from .wire import Reader, Writer

MAX_SKIP: Final = 1000  # message keys one header may make us skip
MAX_SKIPPED_KEYS: Final = 2000  # skipped keys stored per session
SKIPPED_KEY_TTL_SECONDS: Final = 14 * 24 * 3600
MAX_PAST_CHAINS: Final = 32
HEADER_SIZE: Final = KEY_SIZE + 4 + 4
STATE_VERSION: Final = 1
_MAX_COUNTER: Final = 0xFFFFFFFF
_COUNTERS: Final = struct.Struct(">II")  # PN, N
_HEADER: Final = struct.Struct(f">{KEY_SIZE}sII")


@dataclass(frozen=True)
class Header:
    dh: bytes  # the sender's current ratchet public key
    previous_chain_length: int  # PN
    n: int  # message number in the sending chain

    def encode(self) -> bytes:
        return self.dh + _COUNTERS.pack(self.previous_chain_length, self.n)

    @classmethod
    def decode(cls, data: bytes) -> Header:
        if type(data) is bytes and len(data) == HEADER_SIZE:
            return cls(*_HEADER.unpack(data))
        reader = Reader(data, "ratchet header")  # names what is wrong
        header = cls(reader.raw(KEY_SIZE), reader.u32(), reader.u32())
        reader.done()
        return header


class Ratchet:
    """One side of a Double Ratchet session. Mutable; not thread-safe."""

    def __init__(
        self,
        *,
        root_key: bytes,
        dh_private: bytes,
        remote_dh: bytes | None,
        send_chain: bytes | None,
        recv_chain: bytes | None,
        send_n: int,
        recv_n: int,
        prev_send_n: int,
        associated_data: bytes,
        skipped: OrderedDict[tuple[bytes, int], tuple[bytes, int]] | None = None,
        past_chains: OrderedDict[bytes, int] | None = None,
    ) -> None:
        self.root_key = root_key
        self.dh_private = dh_private
        self.dh_public = x25519_public(dh_private)
        self.remote_dh = remote_dh
        self.send_chain = send_chain
        self.recv_chain = recv_chain
        self.send_n = send_n
        self.recv_n = recv_n
        self.prev_send_n = prev_send_n
        self.associated_data = associated_data
        # (ratchet public key, n) -> (message key, stored at, unix seconds); insertion order.
        self.skipped = skipped if skipped is not None else OrderedDict()
        # retired receiving ratchet keys -> how many messages of that chain were processed
        self.past_chains = past_chains if past_chains is not None else OrderedDict()

    def __repr__(self) -> str:  # never print keys
        return f"Ratchet(send_n={self.send_n}, recv_n={self.recv_n}, skipped={len(self.skipped)})"

    # --- Initialisation (spec §3.3) -------------------------------------------------

    @classmethod
    def initiator(
        cls, shared_key: bytes, remote_dh: bytes, associated_data: bytes, rand: RandomSource
    ) -> Ratchet:
        """Alice's side: she knows Bob's ratchet public key and can send at once."""
        dh_private = x25519_private(rand)
        root_key, send_chain = kdf_rk(shared_key, x25519(dh_private, remote_dh))
        return cls(
            root_key=root_key,
            dh_private=dh_private,
            remote_dh=remote_dh,
            send_chain=send_chain,
            recv_chain=None,
            send_n=0,
            recv_n=0,
            prev_send_n=0,
            associated_data=associated_data,
        )

    @classmethod
    def responder(cls, shared_key: bytes, dh_private: bytes, associated_data: bytes) -> Ratchet:
        """Bob's side: his ratchet key pair is the one Alice used; he sends after receiving."""
        return cls(
            root_key=shared_key,
            dh_private=dh_private,
            remote_dh=None,
            send_chain=None,
            recv_chain=None,
            send_n=0,
            recv_n=0,
            prev_send_n=0,
            associated_data=associated_data,
        )

    # --- Encrypt (spec §3.4) ------------------------------------------------------------

    @property
    def can_send(self) -> bool:
        return self.send_chain is not None

    def encrypt(self, plaintext: bytes) -> tuple[Header, bytes]:
        if self.send_chain is None:
            raise LocalProtocolError("this session cannot send before it has received")
        if self.send_n >= _MAX_COUNTER:
            raise LocalProtocolError("sending chain exhausted")
        self.send_chain, message_key = kdf_ck(self.send_chain)
        header = Header(self.dh_public, self.prev_send_n, self.send_n)
        self.send_n += 1
        return header, _seal(message_key, plaintext, self.associated_data + header.encode())

    # --- Decrypt (spec §3.5) ------------------------------------------------------------

    def decrypt(self, header: Header, ciphertext: bytes, now: float, rand: RandomSource) -> bytes:
        """Decrypts one message; on any error the state is left unchanged."""
        if len(ciphertext) < AEAD_TAG_SIZE:
            raise MalformedInput("ratchet ciphertext: truncated")
        n = header.n
        if (
            n == self.recv_n
            and header.dh == self.remote_dh
            and self.recv_chain is not None
            and n < _MAX_COUNTER
            and header.previous_chain_length < _MAX_COUNTER
            and not self._expiring(int(now))
            and (not self.skipped or (header.dh, n) not in self.skipped)
            and len(self.skipped) <= MAX_SKIPPED_KEYS
            and header.dh not in self.past_chains
        ):
            # The next message of the current receiving chain, nothing to expire: steps 1-7
            # of §8.6 change nothing, step 8 only CKr and Nr, and those are committed after
            # authentication, so no snapshot is needed (§8.8).
            chain, message_key = kdf_ck(self.recv_chain)
            plaintext = _open(message_key, ciphertext, self.associated_data + header.encode())
            self.recv_chain = chain
            self.recv_n = n + 1
            return plaintext
        snapshot = self._snapshot()
        try:
            self._expire(int(now))
            return self._decrypt(header, ciphertext, int(now), rand)
        except BaseException:
            self._restore(snapshot)
            raise

    def _decrypt(self, header: Header, ciphertext: bytes, now: int, rand: RandomSource) -> bytes:
        if header.n >= _MAX_COUNTER or header.previous_chain_length >= _MAX_COUNTER:
            # Accepting n = 2^32 - 1 would push our counter past what the state encodes.
            raise TooManySkipped("message number out of range")
        ad = self.associated_data + header.encode()
        stored = self.skipped.pop((header.dh, header.n), None)
        if stored is not None:
            return _open(stored[0], ciphertext, ad)
        if header.dh == self.remote_dh and header.n < self.recv_n:
            raise DuplicateMessage("message already received")
        seen = self.past_chains.get(header.dh)
        if seen is not None:
            if header.n < seen:
                raise DuplicateMessage("message already received")
            raise DecryptionFailed("message beyond the end of a finished chain")
        if header.dh != self.remote_dh:
            self._skip(header.previous_chain_length, now)
            self._dh_ratchet(header, rand)
        self._skip(header.n, now)
        assert self.recv_chain is not None
        self.recv_chain, message_key = kdf_ck(self.recv_chain)
        self.recv_n += 1
        return _open(message_key, ciphertext, ad)

    def _skip(self, until: int, now: int) -> None:
        if self.recv_chain is None:
            return
        if until > self.recv_n + MAX_SKIP:
            raise TooManySkipped(f"a message asks to skip more than {MAX_SKIP} messages")
        assert self.remote_dh is not None
        while self.recv_n < until:
            self.recv_chain, message_key = kdf_ck(self.recv_chain)
            self.skipped[(self.remote_dh, self.recv_n)] = (message_key, now)
            self.recv_n += 1
        while len(self.skipped) > MAX_SKIPPED_KEYS:
            self.skipped.popitem(last=False)

    def _dh_ratchet(self, header: Header, rand: RandomSource) -> None:
        if self.remote_dh is not None:
            self.past_chains[self.remote_dh] = self.recv_n
            while len(self.past_chains) > MAX_PAST_CHAINS:
                self.past_chains.popitem(last=False)
        self.prev_send_n = self.send_n
        self.send_n = 0
        self.recv_n = 0
        self.remote_dh = header.dh
        self.root_key, self.recv_chain = kdf_rk(self.root_key, x25519(self.dh_private, header.dh))
        self.dh_private = x25519_private(rand)
        self.dh_public = x25519_public(self.dh_private)
        self.root_key, self.send_chain = kdf_rk(self.root_key, x25519(self.dh_private, header.dh))

    def _expiring(self, now: int) -> bool:
        """Whether :meth:`_expire` would delete a key (the oldest is first)."""
        skipped = self.skipped
        return bool(skipped) and next(iter(skipped.values()))[1] < now - SKIPPED_KEY_TTL_SECONDS

    def _expire(self, now: int) -> None:
        # Keys are stored in time order, so the expired ones are at the front.
        limit = now - SKIPPED_KEY_TTL_SECONDS
        while self.skipped:
            key, (_, stored_at) = next(iter(self.skipped.items()))
            if stored_at >= limit:
                break
            del self.skipped[key]

    _FIELDS: Final = (
        "root_key",
        "dh_private",
        "dh_public",
        "remote_dh",
        "send_chain",
        "recv_chain",
        "send_n",
        "recv_n",
        "prev_send_n",
    )

    def _snapshot(self) -> tuple[object, ...]:
        fields = tuple(getattr(self, name) for name in self._FIELDS)
        return (*fields, OrderedDict(self.skipped), OrderedDict(self.past_chains))

    def _restore(self, snapshot: tuple[object, ...]) -> None:
        for name, value in zip(self._FIELDS, snapshot, strict=False):
            setattr(self, name, value)
        self.skipped = snapshot[-2]  # type: ignore[assignment]
        self.past_chains = snapshot[-1]  # type: ignore[assignment]

    # --- Serialisation --------------------------------------------------------------------

    def encode(self) -> bytes:
        """Secret material: the node stores it encrypted."""
        writer = Writer().u8(STATE_VERSION).raw(self.root_key).raw(self.dh_private)
        for optional in (self.remote_dh, self.send_chain, self.recv_chain):
            writer.bytes8(optional or b"")
        writer.u32(self.send_n).u32(self.recv_n).u32(self.prev_send_n)
        writer.bytes16(self.associated_data)
        writer.u32(len(self.skipped))
        for (dh, n), (message_key, stored_at) in self.skipped.items():
            writer.raw(dh).u32(n).raw(message_key).u64(stored_at)
        writer.u32(len(self.past_chains))
        for dh, count in self.past_chains.items():
            writer.raw(dh).u32(count)
        return writer.getvalue()

    @classmethod
    def decode(cls, data: bytes) -> Ratchet:
        try:
            return cls._decode(Reader(data, "ratchet state"))
        except MalformedInput as exc:
            raise CorruptState(str(exc)) from None

    @classmethod
    def _decode(cls, reader: Reader) -> Ratchet:
        if reader.u8() != STATE_VERSION:
            raise CorruptState("ratchet state: unknown version")
        root_key, dh_private = reader.raw(KEY_SIZE), reader.raw(KEY_SIZE)
        remote_dh, send_chain, recv_chain = (_optional_key(reader) for _ in range(3))
        send_n, recv_n, prev_send_n = reader.u32(), reader.u32(), reader.u32()
        associated_data = reader.bytes16()
        skipped: OrderedDict[tuple[bytes, int], tuple[bytes, int]] = OrderedDict()
        count = reader.u32()
        if count > MAX_SKIPPED_KEYS:
            raise CorruptState("ratchet state: too many skipped keys")
        for _ in range(count):
            dh, n = reader.raw(KEY_SIZE), reader.u32()
            skipped[(dh, n)] = (reader.raw(KEY_SIZE), reader.u64())
        past_chains: OrderedDict[bytes, int] = OrderedDict()
        count = reader.u32()
        if count > MAX_PAST_CHAINS:
            raise CorruptState("ratchet state: too many past chains")
        for _ in range(count):
            dh = reader.raw(KEY_SIZE)
            past_chains[dh] = reader.u32()
        reader.done()
        return cls(
            root_key=root_key,
            dh_private=dh_private,
            remote_dh=remote_dh,
            send_chain=send_chain,
            recv_chain=recv_chain,
            send_n=send_n,
            recv_n=recv_n,
            prev_send_n=prev_send_n,
            associated_data=associated_data,
            skipped=skipped,
            past_chains=past_chains,
        )


def _optional_key(reader: Reader) -> bytes | None:
    value = reader.bytes8()
    if value and len(value) != KEY_SIZE:
        raise reader.fail("key of wrong length")
    return value or None


def _seal(message_key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    return aead_encrypt(*message_key_material(message_key), plaintext, ad)


def _open(message_key: bytes, ciphertext: bytes, ad: bytes) -> bytes:
    return aead_decrypt(*message_key_material(message_key), ciphertext, ad)
