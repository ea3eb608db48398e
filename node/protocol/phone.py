"""Pairing by phone (docs/protocol.md §16): a short code read aloud, SPAKE2 on it, key
confirmation, then the normal pairing (§7, §12) inside the channel the code authenticates.

    code    = nameplate "-" word "-" word "-" word          7-lapin-orage-tigre
    frame   = version 0x01 || kind u8 || body
        0x01 PAKE     SPAKE2 symmetric message (33 bytes: "S" || group element)
        0x02 CONFIRM  HMAC-SHA256(K_confirm, role label) (32 bytes)
        0x03 RECORD   AEAD_Enc(K_direction, 0x00 * 16 || u64(counter), record, ad = 0x01 0x03)
    record  = type u8 || body:  0x01 INVITATION text, 0x02 ANSWER packet, 0x03 DONE (empty),
                                0x04 ABORT reason (ASCII error code)

    caller C                                   joiner J
      PAKE           ------------------->
                     <-------------------        PAKE          (each sends its own at once)
      CONFIRM(C)     ------------------->                      (each, on the other's PAKE)
                     <-------------------        CONFIRM(J)
      checks CONFIRM(J): else WrongCode          checks CONFIRM(C): else WrongCode
      RECORD(INVITATION) ---------------->
                     <-------------------        RECORD(ANSWER)   (the §12 pairing answer)
      RECORD(DONE)   ------------------->

Either side may send RECORD(ABORT) once authenticated. :class:`PhoneExchange` is one side's
state machine: bytes in, bytes and events out; randomness is a parameter (SPAKE2 draws its
scalar from it). Decoders raise only :class:`RemoteProtocolError` subclasses; a wrong code
is :class:`WrongCode`, a :class:`DecryptionFailed` (the key confirmation does not
authenticate). This module is imported as ``node.protocol.phone`` (it loads the ``spake2``
package, so the package's ``__init__`` does not).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Final

from spake2 import SPAKE2_Symmetric  # type: ignore[import-untyped]  # no type hints

from .envelope import BUCKETS
from .errors import DecryptionFailed, LocalProtocolError, MalformedInput, UnsupportedVersion
from .invitation import MAX_TEXT_LENGTH
from .kdf import hkdf_sha256
from .primitives import (
    AEAD_NONCE_SIZE,
    AEAD_TAG_SIZE,
    KEY_SIZE,
    RandomSource,
    aead_decrypt,
    aead_encrypt,
    constant_time_equal,
    hmac_sha256,
)
from .relay_wire import MAX_NAMEPLATE as RELAY_MAX_NAMEPLATE
from .relay_wire import MAX_RENDEZVOUS_FRAME
from .wire import Reader, Writer

VERSION: Final = 0x01
# The relay's bounds (docs/relay-protocol.md §16): a code must fit the relay it goes through.
MAX_NAMEPLATE: Final = RELAY_MAX_NAMEPLATE
MAX_FRAME_SIZE: Final = MAX_RENDEZVOUS_FRAME
MAX_CODE_TEXT: Final = 128  # characters of a typed code
PAKE_MESSAGE_SIZE: Final = 33  # SPAKE2's side byte "S" and a 32-byte Ed25519 group element
MAC_SIZE: Final = 32
# SPAKE2's identity string (idSymmetric), the HKDF info and the two role labels (§16.4).
PAKE_ID: Final = b"releve phone pairing v1"
INFO_PHONE: Final = b"Releve phone v1"
CALLER_LABEL: Final = b"Releve phone caller v1"
JOINER_LABEL: Final = b"Releve phone joiner v1"
_SPAKE_SIDE: Final = b"S"
_REASON: Final = re.compile(r"[a-z_]{1,32}")
_TOKEN: Final = re.compile(r"[0-9a-z]+")

# The 256 words of a code: simple French nouns (and four colours) of 3 to 7 letters, written
# without accents, none a homophone of another common word, and no two within one letter of
# each other (one substitution, insertion or deletion), so that one misheard letter cannot
# turn a word into another word of the list. The index of a word is its byte value (§16.1).
_WORD_TEXT: Final = """
abeille abricot agneau aigle aimant album ananas arbre argent armoire atelier avion bague
balcon baleine banane bateau bijou bille biscuit bison blanc bleu bois bol bonbon bonnet botte
bougie bouleau branche brioche brocoli bronze brosse bureau bus cabane cactus cadeau cadenas
cadre cahier caillou camion canard carafe caramel carotte carton cascade castor cave cerise
chaise chalet chapeau chemise cheval chien chou cigale cirque citron cloche clown cochon
coffre collier colline colombe corail corbeau corde courge couteau crabe cravate crayon
cristal cuivre dauphin diamant dindon domino dragon falaise faucon ferme feuille figue fleur
fleuve fondue fourmi fraise frigo fromage gant garage gare gaufre gazelle girafe glacier golf
gomme gorille grange grotte guitare hamac herbe hibou homard horloge image iris jaguar jambon
jardin jasmin jaune jouet journal judo jupe kayak kiwi koala lama lampe lapin laser lavande
lettre licorne lilas lion livre loutre lune lutin maison mangue manoir manteau marron masque
melon miel mimosa miroir montre moto mouche mouette moulin muguet nappe navet navire neige
nuage olive orage orgue ours palais panda panier parasol parc peigne pelle persil piano pigeon
pinceau pioche pirate piscine pizza plage pluie poire poney pont porte potiron poule prairie
prune pyjama racine radar radio raisin renard requin rideau robot rocher rose rouge ruban
rubis rugby sabot sac salade sandale saumon serpent sifflet singe ski soleil soupe source
souris stade stylo sucre table tambour tartine tasse taureau taxi temple tennis tigre timbre
tomate torche tornade tortue totem toupie tour train tulipe tunnel usine vache valise vanille
veste village violon voile voiture volcan yoga zoo
"""
WORDS: Final[tuple[str, ...]] = tuple(_WORD_TEXT.split())
WORD_INDEX: Final = {word: index for index, word in enumerate(WORDS)}


class WrongCode(DecryptionFailed):
    """The other side's key confirmation does not match: it used another code (§16.4)."""

    code = "wrong_code"


class PhoneRole(Enum):
    CALLER = "caller"  # ran `pair call`: allocated the nameplate, shows the code, invites
    JOINER = "joiner"  # ran `pair join CODE`: answers the invitation


# --- the code (§16.1) --------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    nameplate: int
    words: tuple[str, str, str]

    def __post_init__(self) -> None:
        if not 1 <= self.nameplate <= MAX_NAMEPLATE:
            raise LocalProtocolError(f"a nameplate is a number from 1 to {MAX_NAMEPLATE}")
        if len(self.words) != 3 or any(word not in WORD_INDEX for word in self.words):
            raise LocalProtocolError("a code has three words of the list")

    def __str__(self) -> str:
        return "-".join((str(self.nameplate), *self.words))

    @property
    def password(self) -> bytes:
        """What SPAKE2 runs on: the whole code, nameplate included, in its canonical form."""
        return str(self).encode("ascii")

    @classmethod
    def generate(cls, nameplate: int, rand: RandomSource) -> Code:
        """Draws rand(3): one byte per word."""
        indexes = _random_exact(rand, 3)
        return cls(nameplate, (WORDS[indexes[0]], WORDS[indexes[1]], WORDS[indexes[2]]))

    @classmethod
    def parse(cls, text: str) -> Code:
        """A code as a person typed it: any case, accents, spaces or other separators instead
        of dashes, surrounding blanks. Raises MalformedInput, naming what is wrong."""
        if not isinstance(text, str) or len(text) > MAX_CODE_TEXT:
            raise MalformedInput("code: not a short text")
        decomposed = unicodedata.normalize("NFKD", text)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        parts = _TOKEN.findall(folded)
        if len(parts) != 4:
            raise MalformedInput("code: expected a number and three words")
        number, words = parts[0], parts[1:]
        if not number.isdigit() or len(number) > 4 or not 1 <= int(number) <= MAX_NAMEPLATE:
            raise MalformedInput(f"code: the number must be from 1 to {MAX_NAMEPLATE}")
        unknown = [word for word in words if word not in WORD_INDEX]
        if unknown:
            raise MalformedInput(f"code: not a word of the list: {', '.join(unknown)}")
        return cls(int(number), (words[0], words[1], words[2]))


def _random_exact(rand: RandomSource, n: int) -> bytes:
    data = rand(n)
    if not isinstance(data, bytes) or len(data) != n:
        raise LocalProtocolError("random source returned the wrong length")
    return data


# --- frames (§16.3) ----------------------------------------------------------------------


class FrameKind(IntEnum):
    PAKE = 0x01
    CONFIRM = 0x02
    RECORD = 0x03


@dataclass(frozen=True)
class Pake:
    message: bytes

    def encode(self) -> bytes:
        return bytes((VERSION, FrameKind.PAKE)) + self.message


@dataclass(frozen=True)
class Confirm:
    mac: bytes

    def encode(self) -> bytes:
        return bytes((VERSION, FrameKind.CONFIRM)) + self.mac


@dataclass(frozen=True)
class SealedRecord:
    ciphertext: bytes

    def encode(self) -> bytes:
        return RECORD_AD + self.ciphertext


Frame = Pake | Confirm | SealedRecord
RECORD_AD: Final = bytes((VERSION, FrameKind.RECORD))
MAX_RECORD_SIZE: Final = MAX_FRAME_SIZE - len(RECORD_AD) - AEAD_TAG_SIZE  # plaintext bytes


def decode_frame(data: bytes) -> Frame:
    """One frame from the channel; raises only RemoteProtocolError subclasses."""
    reader = Reader(data, "phone frame")
    if reader.remaining() > MAX_FRAME_SIZE:
        raise reader.fail("too large")
    version = reader.u8()
    kind = reader.u8()
    if version != VERSION:
        raise UnsupportedVersion(f"phone frame: version {version}")
    if kind == FrameKind.PAKE:
        message = reader.raw(PAKE_MESSAGE_SIZE)
        reader.done()
        if message[:1] != _SPAKE_SIDE:
            raise reader.fail("not a symmetric SPAKE2 message")
        return Pake(message)
    if kind == FrameKind.CONFIRM:
        mac = reader.raw(MAC_SIZE)
        reader.done()
        return Confirm(mac)
    if kind == FrameKind.RECORD:
        ciphertext = reader.rest()
        if len(ciphertext) < AEAD_TAG_SIZE + 1:
            raise reader.fail("record truncated")
        return SealedRecord(ciphertext)
    raise reader.fail(f"unknown kind {kind}")


# --- records (§16.5) ---------------------------------------------------------------------


class RecordType(IntEnum):
    INVITATION = 0x01
    ANSWER = 0x02
    DONE = 0x03
    ABORT = 0x04


@dataclass(frozen=True)
class InvitationRecord:
    """The caller's one-time invitation, in its text form (§7.2)."""

    text: str

    def encode(self) -> bytes:
        if not 0 < len(self.text) <= MAX_TEXT_LENGTH or not self.text.isascii():
            raise LocalProtocolError("invitation text: 1 to 1024 ASCII characters")
        return bytes((RecordType.INVITATION,)) + self.text.encode("ascii")


@dataclass(frozen=True)
class AnswerRecord:
    """The joiner's pairing answer: the packet of §12.4, exactly as for any other path."""

    packet: bytes

    def encode(self) -> bytes:
        if len(self.packet) not in BUCKETS or len(self.packet) + 1 > MAX_RECORD_SIZE:
            raise LocalProtocolError("answer packet: not a packet size that fits a record")
        return bytes((RecordType.ANSWER,)) + self.packet


@dataclass(frozen=True)
class DoneRecord:
    """The caller completed the pairing."""

    def encode(self) -> bytes:
        return bytes((RecordType.DONE,))


@dataclass(frozen=True)
class AbortRecord:
    """This side stops; ``reason`` is an error code (the local API's, docs/local-api.md)."""

    reason: str

    def encode(self) -> bytes:
        if not _REASON.fullmatch(self.reason):
            raise LocalProtocolError("abort reason: 1 to 32 characters a-z and _")
        return bytes((RecordType.ABORT,)) + self.reason.encode("ascii")


Record = InvitationRecord | AnswerRecord | DoneRecord | AbortRecord


def decode_record(data: bytes) -> Record:
    """A decrypted record; raises only MalformedInput."""
    reader = Reader(data, "phone record")
    kind = reader.u8()
    body = reader.rest()
    if kind == RecordType.INVITATION:
        if not 0 < len(body) <= MAX_TEXT_LENGTH or not body.isascii():
            raise reader.fail("invitation text: 1 to 1024 ASCII characters")
        return InvitationRecord(body.decode("ascii"))
    if kind == RecordType.ANSWER:
        if len(body) not in BUCKETS:
            raise reader.fail("answer: not a packet size")
        return AnswerRecord(body)
    if kind == RecordType.DONE:
        if body:
            raise reader.fail("done: trailing bytes")
        return DoneRecord()
    if kind == RecordType.ABORT:
        reason = body.decode("ascii") if body.isascii() else ""
        if not _REASON.fullmatch(reason):
            raise reader.fail("abort: bad reason")
        return AbortRecord(reason)
    raise reader.fail(f"unknown record type {kind}")


# --- keys (§16.4) ------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneKeys:
    confirm: bytes  # key confirmation
    caller: bytes  # records from the caller to the joiner
    joiner: bytes  # records from the joiner to the caller

    @classmethod
    def derive(cls, shared: bytes) -> PhoneKeys:
        okm = hkdf_sha256(shared, b"", INFO_PHONE, 3 * KEY_SIZE)
        return cls(okm[:KEY_SIZE], okm[KEY_SIZE : 2 * KEY_SIZE], okm[2 * KEY_SIZE :])


def confirmation(keys: PhoneKeys, role: PhoneRole) -> bytes:
    label = CALLER_LABEL if role is PhoneRole.CALLER else JOINER_LABEL
    return hmac_sha256(keys.confirm, label)


def record_nonce(counter: int) -> bytes:
    return bytes(AEAD_NONCE_SIZE - 8) + Writer().u64(counter).getvalue()


# --- one side's state machine (§16.6) ----------------------------------------------------


@dataclass(frozen=True)
class Authenticated:
    """The other side proved it used the same code: records may flow."""


Event = Authenticated | InvitationRecord | AnswerRecord | DoneRecord | AbortRecord


class Stage(Enum):
    NEW = "new"
    STARTED = "started"  # our PAKE sent
    CONFIRMING = "confirming"  # their PAKE received, our CONFIRM sent
    AUTHENTICATED = "authenticated"  # their CONFIRM checked
    INVITED = "invited"  # the invitation went (caller) or came (joiner)
    ANSWERED = "answered"  # the answer came (caller) or went (joiner)
    DONE = "done"
    FAILED = "failed"  # an error, a wrong code, or an abort (sent or received)


class PhoneExchange:
    """One side of §16.6. Feed every frame from the channel to :meth:`receive`; send what it
    and the ``send_*`` methods return. Any error leaves the exchange FAILED for good."""

    def __init__(self, role: PhoneRole, code: Code, rand: RandomSource) -> None:
        self.role = role
        self.stage = Stage.NEW
        self._spake = SPAKE2_Symmetric(
            code.password, idSymmetric=PAKE_ID, entropy_f=lambda n: _random_exact(rand, n)
        )
        self._keys: PhoneKeys | None = None
        self._sent = 0  # records sent: the nonce counter of our direction
        self._received = 0  # records received: the nonce counter of theirs

    @property
    def _other(self) -> PhoneRole:
        return PhoneRole.JOINER if self.role is PhoneRole.CALLER else PhoneRole.CALLER

    def start(self) -> bytes:
        """Our PAKE frame (draws rand(64) for the SPAKE2 scalar)."""
        self._expect_stage(Stage.NEW)
        message = self._spake.start()
        self.stage = Stage.STARTED
        return Pake(message).encode()

    def receive(self, data: bytes) -> tuple[bytes | None, Event | None]:
        """Takes one frame; returns (a frame to send or None, an event or None)."""
        if self.stage in (Stage.NEW, Stage.DONE, Stage.FAILED):
            raise LocalProtocolError(f"nothing can be received in stage {self.stage.value}")
        try:
            return self._receive(decode_frame(data))
        except BaseException:
            self.stage = Stage.FAILED
            raise

    def _receive(self, frame: Frame) -> tuple[bytes | None, Event | None]:
        if self.stage is Stage.STARTED:
            if not isinstance(frame, Pake):
                raise MalformedInput("phone: expected the other side's PAKE message")
            try:
                shared = self._spake.finish(frame.message)
            except Exception:
                # The spake2 package raises ValueError, its own SPAKEError subclasses (a
                # reflected message) or AssertionError on a point it cannot decode.
                raise MalformedInput("phone: not a valid SPAKE2 message") from None
            self._keys = PhoneKeys.derive(bytes(shared))
            self.stage = Stage.CONFIRMING
            return Confirm(confirmation(self._keys, self.role)).encode(), None
        keys = self._keys
        assert keys is not None
        if self.stage is Stage.CONFIRMING:
            if not isinstance(frame, Confirm):
                raise MalformedInput("phone: expected the other side's confirmation")
            if not constant_time_equal(frame.mac, confirmation(keys, self._other)):
                raise WrongCode("phone: the other side used another code")
            self.stage = Stage.AUTHENTICATED
            return None, Authenticated()
        if not isinstance(frame, SealedRecord):
            raise MalformedInput("phone: expected a record")
        their_key = keys.joiner if self.role is PhoneRole.CALLER else keys.caller
        plaintext = aead_decrypt(
            their_key, record_nonce(self._received), frame.ciphertext, RECORD_AD
        )
        self._received += 1
        record = decode_record(plaintext)
        if isinstance(record, AbortRecord):
            self.stage = Stage.FAILED
            return None, record
        expected = {
            (PhoneRole.CALLER, Stage.INVITED): (AnswerRecord, Stage.ANSWERED),
            (PhoneRole.JOINER, Stage.AUTHENTICATED): (InvitationRecord, Stage.INVITED),
            (PhoneRole.JOINER, Stage.ANSWERED): (DoneRecord, Stage.DONE),
        }.get((self.role, self.stage))
        if expected is None or not isinstance(record, expected[0]):
            raise MalformedInput(f"phone: unexpected {type(record).__name__} now")
        self.stage = expected[1]
        return None, record

    def send_invitation(self, text: str) -> bytes:
        """Caller, once authenticated: the invitation (§7.2 text form)."""
        self._expect(PhoneRole.CALLER, Stage.AUTHENTICATED)
        return self._seal(InvitationRecord(text).encode(), Stage.INVITED)

    def send_answer(self, packet: bytes) -> bytes:
        """Joiner, once it has the invitation: the pairing answer packet (§12.4)."""
        self._expect(PhoneRole.JOINER, Stage.INVITED)
        return self._seal(AnswerRecord(packet).encode(), Stage.ANSWERED)

    def send_done(self) -> bytes:
        """Caller, once it completed the pairing with the answer."""
        self._expect(PhoneRole.CALLER, Stage.ANSWERED)
        return self._seal(DoneRecord().encode(), Stage.DONE)

    def abort(self, reason: str) -> bytes | None:
        """Stops here; returns an ABORT record to send once authenticated (before that there
        is no key, and the other side simply sees the channel close)."""
        record = AbortRecord(reason).encode()  # checks the reason first
        if self.stage in (Stage.AUTHENTICATED, Stage.INVITED, Stage.ANSWERED):
            return self._seal(record, Stage.FAILED)
        self.stage = Stage.FAILED
        return None

    def _expect(self, role: PhoneRole, stage: Stage) -> None:
        if self.role is not role:
            raise LocalProtocolError(f"only the {role.value} does this")
        self._expect_stage(stage)

    def _expect_stage(self, stage: Stage) -> None:
        if self.stage is not stage:
            raise LocalProtocolError(f"not in stage {stage.value} but {self.stage.value}")

    def _seal(self, record: bytes, then: Stage) -> bytes:
        keys = self._keys
        assert keys is not None
        our_key = keys.caller if self.role is PhoneRole.CALLER else keys.joiner
        ciphertext = aead_encrypt(our_key, record_nonce(self._sent), record, RECORD_AD)
        self._sent += 1
        self.stage = then
        return SealedRecord(ciphertext).encode()
