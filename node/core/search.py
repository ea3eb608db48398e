"""Searching messages by patient name, contact and text (issue #14; the web client's "Rechercher",
docs/local-api.md ``POST /v1/search``).

Messages are encrypted at rest (node.storage: every body sealed with the store's key) and
invariant 1 forbids any plaintext on disk, so there is no full-text index. Two designs were
weighed:

- a keyed token index (HMAC of each normalised word under a key of the store): no plaintext,
  but it still writes, for every message, which words it shares with every other one (an
  attacker with the disk and not the key learns the word-frequency structure of the practice's
  traffic, and a patient's name repeated across messages links them); it must be kept in step
  with every message, migrated, and it only finds whole words;
- a bounded scan over the most recent messages, decrypted in memory the time of the search:
  nothing new on disk, substrings match ("dura" finds "Durand"), and the cost is bounded.

The scan is what this module does: at most :data:`SCAN_LIMIT` of the newest shown messages
(read newest first, a page of :data:`PAGE` at a time, by the same keyset pagination as the
conversation list), at most :data:`MAX_RESULTS` results. A fallback tool for days of outage
needs the recent days, not years: older messages stay in their conversations. Matching ignores
case and accents ("helene" finds "Hélène"). The query is never logged, stored or put in a URL
(the web client posts it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from node.core.context import NodeContext
from node.core.errors import Invalid
from node.core.ports import MessageQuery
from node.core.reading import Reading
from node.core.records import MessageRow, content_of
from node.protocol.errors import ProtocolError

SCAN_LIMIT: Final = 2000
PAGE: Final = 200
MAX_RESULTS: Final = 50
MIN_QUERY: Final = 2
MAX_QUERY: Final = 100
EXCERPT: Final = 60  # characters shown on each side of a text match

# Where a query matched: the contact's name, the patient's names, the message's text.
NAME, PATIENT, TEXT = "name", "patient", "text"
_PATIENT_FIELDS: Final = ("birth_name", "first_names", "used_name", "ins")


def fold(value: str) -> str:
    """Case and accents ignored: "Hélène" and "HELENE" fold the same."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Hit:
    row: MessageRow
    contact_name: str
    matched: tuple[str, ...]  # NAME, PATIENT, TEXT
    patient: str | None  # the patient's names, when the message is about one
    excerpt: tuple[str, str, str] | None  # before, the match, after (a text match)


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    scanned: int = 0
    more: bool = False  # more than MAX_RESULTS matched


def check_query(query: str) -> str:
    query = " ".join(query.split())
    if len(query) < MIN_QUERY:
        raise Invalid("query_too_short", f"a search needs at least {MIN_QUERY} characters")
    if len(query) > MAX_QUERY:
        raise Invalid("query_too_long", f"a search has at most {MAX_QUERY} characters")
    return query


async def search(ctx: NodeContext, reading: Reading, query: str) -> SearchResult:
    """The newest messages (at most :data:`SCAN_LIMIT`) matching ``query``, newest first."""
    query = check_query(query)
    wanted = fold(query)
    result = SearchResult(query)
    before: tuple[float, bytes] | None = None
    while result.scanned < SCAN_LIMIT:
        limit = min(PAGE, SCAN_LIMIT - result.scanned)
        rows = await reading.shown(MessageQuery(before=before, limit=limit))
        if not rows:
            break
        # shown() gives the page in the sender's order: newest first here, for the cursor too.
        rows.sort(key=lambda row: (row.listed_at, row.message_id), reverse=True)
        for row in rows:
            hit = _match(ctx, row, wanted)
            if hit is None:
                continue
            if len(result.hits) == MAX_RESULTS:
                result.more = True
                return result
            result.hits.append(hit)
        result.scanned += len(rows)
        before = (rows[-1].listed_at, rows[-1].message_id)
        if len(rows) < limit:
            break
    return result


def _match(ctx: NodeContext, row: MessageRow, wanted: str) -> Hit | None:
    name = ctx.contacts.name_of(row.contact_id) or "?"
    matched: list[str] = []
    if wanted in fold(name):
        matched.append(NAME)
    try:
        document = content_of(row).to_json()
    except ProtocolError:
        document = {}
    patient_json = document.pop("patient", None)
    patient = None
    if isinstance(patient_json, dict):
        names = [str(patient_json[f]) for f in _PATIENT_FIELDS if patient_json.get(f)]
        patient = " ".join(str(patient_json[f]) for f in _PATIENT_FIELDS[:2] if patient_json.get(f))
        if any(wanted in fold(value) for value in names):
            matched.append(PATIENT)
    excerpt = None
    for value in _strings(document):
        folded = fold(value)
        at = folded.find(wanted)
        if at >= 0 and len(folded) == len(value):
            excerpt = _excerpt(value, at, len(wanted))
            matched.append(TEXT)
            break
        if at >= 0:  # folding changed the length (a ligature): no exact place to show
            excerpt = (value[: 2 * EXCERPT], "", "…" if len(value) > 2 * EXCERPT else "")
            matched.append(TEXT)
            break
    if not matched:
        return None
    return Hit(row, name, tuple(matched), patient, excerpt)


def _strings(value: Any) -> list[str]:
    """Every text of a content's JSON, in order (numbers, dates and codes are not text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() if key not in _NOT_TEXT for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# Ids, codes and dates in the contents' JSON: never what a person searches for.
_NOT_TEXT: Final = frozenset(
    {"reply_to", "priority", "sha256", "media_type", "prescription_id", "message_id", "sex"}
)


def _excerpt(value: str, at: int, length: int) -> tuple[str, str, str]:
    start = max(0, at - EXCERPT)
    end = min(len(value), at + length + EXCERPT)
    before = ("…" if start else "") + value[start:at]
    after = value[at + length : end] + ("…" if end < len(value) else "")
    return before, value[at : at + length], after
