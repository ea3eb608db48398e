"""FHIR R4 export (node/edges/fhir.py): every kind of message gives a Bundle that FHIR R4 accepts.

Two independent validators: SMART on FHIR's client-py models (``fhirclient``, generated from the
R4 4.0.1 StructureDefinitions: types, cardinalities, required and unknown elements, date/time
formats, each entry parsed as its resourceType) and HL7's R4 JSON schema applied by
``jsonschema`` (fhir_schema.py; its own tests in test_fhir_schema.py). ``problems()`` runs both
and adds what they leave out and our output relies on: the Bundle invariants of a message
(bdl-7, bdl-12, references resolved inside the Bundle), the required value-set bindings of the
codes we emit, ele-1 (no empty or null element), the string and id grammars, and drt-1/qty-3.
The broken-bundle tests show each layer is live. The FR Core tests (at the end) check the
French profiles' slices and extensions.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import pytest
from fhirclient.models.bundle import Bundle  # type: ignore[import-untyped]
from fhirclient.models.fhirabstractbase import FHIRValidationError  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from node.core.records import MessageRow
from node.edges.api import json as records
from node.edges.fhir import (
    ENDPOINT_PREFIX,
    EXT_ACKNOWLEDGED,
    EXT_BIRTH_LIST_GIVEN_NAME,
    EXT_IDENTITY_RELIABILITY,
    EXT_REPLY_TO,
    EXT_SAED_SECTION,
    EXT_SHA256,
    IDENTIFIER_TYPE_SYSTEM,
    IDENTITY_STATUS_SYSTEM,
    IDNPS_SYSTEM,
    INS_SYSTEM,
    KIND_SYSTEM,
    MESSAGE_SYSTEM,
    NIA_SYSTEM,
    RPPS_SYSTEM,
    export_bundles,
    message_bundle,
    resource_id,
)
from node.protocol.conversation import (
    Meta,
    Priority,
    content_from_json,
    encode_conversation,
)
from node.protocol.identity import format_node_id
from node.protocol.profile import Profile, Role

from .fhir_schema import schema_problems

JSON = dict[str, Any]
EXPORTED_AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)

# --- the validator --------------------------------------------------------------------------

# Required bindings (R4 4.0.1 value sets) of the coded elements the export emits.
_REQUIRED_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("Bundle", "type"): frozenset(
        [
            "document",
            "message",
            "transaction",
            "transaction-response",
            "batch",
            "batch-response",
            "history",
            "searchset",
            "collection",
        ]
    ),
    ("Communication", "status"): frozenset(
        [
            "preparation",
            "in-progress",
            "not-done",
            "on-hold",
            "stopped",
            "completed",
            "entered-in-error",
            "unknown",
        ]
    ),
    ("Communication", "priority"): frozenset(["routine", "urgent", "asap", "stat"]),
    ("MedicationRequest", "priority"): frozenset(["routine", "urgent", "asap", "stat"]),
    ("MedicationRequest", "status"): frozenset(
        [
            "active",
            "on-hold",
            "cancelled",
            "completed",
            "entered-in-error",
            "stopped",
            "draft",
            "unknown",
        ]
    ),
    ("MedicationRequest", "intent"): frozenset(
        [
            "proposal",
            "plan",
            "order",
            "original-order",
            "reflex-order",
            "filler-order",
            "instance-order",
            "option",
        ]
    ),
    ("Observation", "status"): frozenset(
        [
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown",
        ]
    ),
    ("Patient", "gender"): frozenset(["male", "female", "other", "unknown"]),
    ("Patient", "telecom.use"): frozenset(["home", "work", "temp", "old", "mobile"]),
    ("Patient", "address.use"): frozenset(["home", "work", "temp", "old", "billing"]),
    ("AllergyIntolerance", "clinicalStatus.coding.code"): frozenset(
        ["active", "inactive", "resolved"]
    ),
    ("MedicationStatement", "status"): frozenset(
        [
            "active",
            "completed",
            "entered-in-error",
            "intended",
            "stopped",
            "on-hold",
            "unknown",
            "not-taken",
        ]
    ),
    ("Patient", "identifier.use"): frozenset(["usual", "official", "temp", "secondary", "old"]),
    ("Patient", "name.use"): frozenset(
        ["usual", "official", "temp", "nickname", "anonymous", "old", "maiden"]
    ),
    ("Practitioner", "identifier.use"): frozenset(
        ["usual", "official", "temp", "secondary", "old"]
    ),
    ("Practitioner", "telecom.system"): frozenset(
        ["phone", "fax", "email", "pager", "url", "sms", "other"]
    ),
    ("Practitioner", "telecom.use"): frozenset(["home", "work", "temp", "old", "mobile"]),
    ("Practitioner", "address.use"): frozenset(["home", "work", "temp", "old", "billing"]),
}
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_URI = re.compile(r"[a-z][a-z0-9+.\-]*:\S+")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
_MIME = re.compile(r"[a-z]+/[a-z0-9.+\-]+")
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UCUM = "http://unitsofmeasure.org"


def _at(node: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted path, through lists."""
    if isinstance(node, list):
        for item in node:
            yield from _at(item, path)
        return
    if not path:
        yield node
        return
    head, _, rest = path.partition(".")
    if isinstance(node, dict) and head in node:
        yield from _at(node[head], rest)


def _tree(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _tree(value, f"{where}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _tree(value, f"{where}[{n}]")


def fhirclient_problems(bundle: JSON) -> list[str]:
    try:
        parsed = Bundle(copy.deepcopy(bundle), strict=True)
    except FHIRValidationError as error:
        return [f"fhirclient: {error}"]
    # The models drop nothing they accepted: a round trip gives the very same JSON.
    if parsed.as_json() != bundle:
        return ["fhirclient: round trip changed the Bundle"]
    return []


def problems(bundle: JSON) -> list[str]:
    """Everything wrong with ``bundle`` as an R4 message Bundle; empty when valid."""
    found = fhirclient_problems(bundle) + schema_problems(bundle)
    for where, value in _tree(bundle):
        if value is None or value in ("", [], {}):
            found.append(f"ele-1: empty or null element at {where}")
        elif isinstance(value, str) and (_BAD_CHARS.search(value) or not value.strip()):
            found.append(f"string: forbidden characters or blank at {where}")
        elif isinstance(value, dict):
            system = value.get("system")  # a uri, except ContactPoint's (a code: phone...)
            contact_point = re.search(r"\.telecom\[\d+\]$", where) is not None
            if isinstance(system, str) and not contact_point and not _URI.fullmatch(system):
                found.append(f"uri: system {system!r} at {where}")
            # A complex extension's parts are named by a plain name ("identityStatus"): R4,
            # Extensibility, "Complex extensions"; any other url is an absolute URI.
            nested = re.search(r"\.extension\[\d+\]\.extension\[\d+\]$", where) is not None
            url_ok = _URI.fullmatch if not nested else _NAME.fullmatch
            if "url" in value and not url_ok(str(value["url"])):
                found.append(f"uri: url at {where}")
            if where.endswith("expectedSupplyDuration") and (
                value.get("system") != _UCUM or "code" not in value
            ):
                found.append(f"drt-1: a duration needs a UCUM code at {where}")
            if "code" in value and "value" in value and "system" not in value:
                found.append(f"qty-3: a unit code needs its system at {where}")
    for (kind, path), allowed in _REQUIRED_CODES.items():
        resources = [bundle] if kind == "Bundle" else _resources(bundle, kind)
        for resource in resources:
            for code in _at(resource, path):
                if code not in allowed:
                    found.append(f"binding: {kind}.{path} = {code!r}")
    entries = bundle.get("entry", [])
    full_urls = [entry.get("fullUrl") for entry in entries]
    if len(set(full_urls)) != len(full_urls):
        found.append("bdl-7: fullUrl not unique")
    if not entries or entries[0].get("resource", {}).get("resourceType") != "MessageHeader":
        found.append("bdl-12: a message Bundle starts with its MessageHeader")
    for entry in entries:
        resource = entry.get("resource", {})
        if not _ID.fullmatch(str(resource.get("id"))):
            found.append(f"id: {resource.get('id')!r}")
        if entry.get("fullUrl") != f"urn:uuid:{resource.get('id')}":
            found.append("fullUrl is not the resource's urn:uuid")
    for where, value in _tree(bundle):
        if where.endswith(".reference") and value not in full_urls:
            found.append(f"reference not resolved in the Bundle at {where}")
        if where.endswith(".contentType") and not _MIME.fullmatch(str(value)):
            found.append(f"binding: mime type at {where}")
    return found


def _resources(bundle: JSON, kind: str) -> list[JSON]:
    return [
        entry["resource"]
        for entry in bundle.get("entry", [])
        if entry.get("resource", {}).get("resourceType") == kind
    ]


def only(bundle: JSON, kind: str) -> JSON:
    found = _resources(bundle, kind)
    assert len(found) == 1, [r["resourceType"] for r in _resources(bundle, kind)]
    return found[0]


def by_reference(bundle: JSON, reference: JSON) -> JSON:
    for entry in bundle["entry"]:
        if entry["fullUrl"] == reference["reference"]:
            resource: JSON = entry["resource"]
            return resource
    raise AssertionError("unresolved reference")


# --- messages -------------------------------------------------------------------------------

MESSAGE_ID = "0123456789abcdef0123456789abcdef"
ANSWERED_ID = "fedcba9876543210fedcba9876543210"
CONTACT_ID = "c0ffee" * 10 + "beef"  # internal: must never reach the export


def patient(*, ins: str | None = "256037512345678", weight: float | None = None) -> JSON:
    return {
        "birth_name": "DUPONT",
        "first_names": "Marie Claire",
        "birth_date": "1956-03-14",
        "sex": "F",
        "ins": ins,
        "weight_kg": weight,
    }


def message(kind: str, **changes: Any) -> JSON:
    base: JSON = {
        "message_id": MESSAGE_ID,
        "direction": "out",
        "contact_id": CONTACT_ID,
        "contact_name": "Pharmacie du Centre",
        "contact_verified": True,
        "seq": 7,
        "kind": kind,
        "text": None,
        "sent_at": "2026-11-29T10:00:00.123Z",
        "received_at": None,
        "status": "delivered",
        "delivered_at": "2026-11-29T10:00:02.500Z",
        "read_at": None,
        "priority": "normal",
        "reply_to": None,
        "acknowledged_at": None,
        "handoff": None,
        "prescription": None,
        "attachment": None,
        "sender": {"name": "Dr Claire Martin", "node_id": "k3xq-7b2m-p4ta-9c1d", "role": "gp"},
        "recipient": {
            "name": "Pharmacie du Centre",
            "node_id": "zr5w-qq2e-88hn-tk0a",
            "role": "pharmacist",
        },
    }
    if kind == "text":
        base["text"] = "Bonjour, le patient passera cet après-midi."
    elif kind == "handoff":
        base["handoff"] = {
            "patient": patient(),
            "situation": "Chute à domicile ce matin, douleur de hanche droite.",
            "background": "HTA traitée, anticoagulée (apixaban).",
            "assessment": "Raccourcissement et rotation externe du membre.",
            "request": "Radiographie du bassin en urgence.",
        }
    elif kind == "prescription":
        base["prescription"] = {
            "prescriber": {
                "name": "Dr Claire Martin",
                "specialty": "Médecine générale",
                "rpps": "10001234567",
                "address": "3 place Bellecour, 69002 Lyon",
                "phone": "04 72 00 00 00",
                "email": "c.martin@example.fr",
            },
            "date": "2026-11-29",
            "patient": {**patient(), "birth_date": "2019-05-02", "weight_kg": 18.5},
            "lines": [
                {
                    "medicine": "Amoxicilline",
                    "strength": "250 mg/5 ml",
                    "dosage": "5 ml matin, midi et soir",
                    "duration": "7 jours",
                    "quantity": "1 flacon",
                    "renewals": 0,
                },
                {
                    "medicine": "Paracétamol",
                    "strength": "2,4 %",
                    "dosage": "1 dose-poids toutes les 6 heures si fièvre",
                    "duration": "jusqu'à disparition de la fièvre",
                    "quantity": None,
                    "renewals": 2,
                },
                {
                    "medicine": "Sérum physiologique",
                    "strength": "",
                    "dosage": "lavage de nez matin et soir",
                    "duration": None,
                    "quantity": "boîte de 40 unidoses",
                    "renewals": 12,
                },
            ],
            "notes": "Allergie à la pénicilline écartée.",
        }
    elif kind == "attachment":
        base["attachment"] = {
            "file_name": "bilan.pdf",
            "media_type": "application/pdf",
            "size": 48213,
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "caption": "Bilan sanguin du 28/11",
            "chunks": 1,
            "done": 1,
            "complete": True,
        }
    base.update(changes)
    return base


def valid_bundle(msg: JSON) -> JSON:
    bundle = message_bundle(msg, EXPORTED_AT)
    assert problems(bundle) == []
    json.dumps(bundle)  # plain JSON all through
    return bundle


# --- every kind is valid R4 -----------------------------------------------------------------


def test_text_message() -> None:
    bundle = valid_bundle(message("text"))
    assert bundle["type"] == "message"
    assert bundle["identifier"] == {"system": MESSAGE_SYSTEM, "value": MESSAGE_ID}
    assert bundle["timestamp"] == "2026-11-30T09:15:00.000Z"
    header = bundle["entry"][0]["resource"]
    assert header["eventCoding"] == {"system": KIND_SYSTEM, "code": "text", "display": "Message"}
    assert header["source"]["endpoint"] == "releve://node/k3xq-7b2m-p4ta-9c1d"
    assert header["destination"][0]["endpoint"] == "releve://node/zr5w-qq2e-88hn-tk0a"
    communication = only(bundle, "Communication")
    assert header["focus"] == [{"reference": bundle["entry"][1]["fullUrl"]}]
    assert bundle["entry"][1]["resource"] is communication
    assert communication["payload"] == [
        {"contentString": "Bonjour, le patient passera cet après-midi."}
    ]
    assert communication["priority"] == "routine"
    assert communication["status"] == "completed"
    assert communication["sent"] == "2026-11-29T10:00:00.123Z"
    assert communication["received"] == "2026-11-29T10:00:02.500Z"
    assert communication["identifier"] == [{"system": MESSAGE_SYSTEM, "value": MESSAGE_ID}]
    sender = by_reference(bundle, communication["sender"])
    assert sender["resourceType"] == "Practitioner"
    assert sender["name"] == [{"text": "Dr Claire Martin"}]
    assert header["sender"] == header["author"] == communication["sender"]
    assert by_reference(bundle, header["destination"][0]["receiver"])["identifier"] == [
        {"system": "urn:releve:node", "value": "zr5w-qq2e-88hn-tk0a"}
    ]
    assert "inResponseTo" not in communication
    assert _resources(bundle, "Patient") == []


def test_urgent_text_acknowledged() -> None:
    msg = message("text", priority="urgent", acknowledged_at="2026-11-29T10:03:00.000Z")
    communication = only(valid_bundle(msg), "Communication")
    assert communication["priority"] == "urgent"
    assert communication["extension"] == [
        {"url": EXT_ACKNOWLEDGED, "valueDateTime": "2026-11-29T10:03:00.000Z"}
    ]


def test_reply_refers_to_the_answered_message_by_identifier() -> None:
    msg = message("text", reply_to=ANSWERED_ID, direction="in", status="received")
    msg["received_at"] = "2026-11-29T10:00:01.000+01:00"
    communication = only(valid_bundle(msg), "Communication")
    assert communication["inResponseTo"] == [
        {"identifier": {"system": MESSAGE_SYSTEM, "value": ANSWERED_ID}}
    ]
    # The answered message's own export carries that identifier: the reference resolves there.
    answered = only(valid_bundle(message("text", message_id=ANSWERED_ID)), "Communication")
    assert answered["identifier"] == [{"system": MESSAGE_SYSTEM, "value": ANSWERED_ID}]
    # Incoming: received is our own reception time, normalised to UTC.
    assert communication["received"] == "2026-11-29T09:00:01.000Z"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("queued", "in-progress"),
        ("sent", "in-progress"),
        ("delivered", "completed"),
        ("read", "completed"),
        ("failed", "stopped"),
    ],
)
def test_delivery_status_maps_to_event_status(status: str, expected: str) -> None:
    msg = message("text", status=status, delivered_at=None)
    communication = only(valid_bundle(msg), "Communication")
    assert communication["status"] == expected
    assert "received" not in communication


def test_handoff_with_ins() -> None:
    bundle = valid_bundle(message("handoff", priority="urgent"))
    communication = only(bundle, "Communication")
    assert communication["priority"] == "urgent"
    patient_resource = by_reference(bundle, communication["subject"])
    assert patient_resource == only(bundle, "Patient")
    assert patient_resource["identifier"] == [
        {
            "use": "official",
            "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "INS-NIR"}]},
            "system": INS_SYSTEM,
            "value": "256037512345678",
        }
    ]
    assert patient_resource["name"] == [
        {
            "extension": [{"url": EXT_BIRTH_LIST_GIVEN_NAME, "valueString": "Marie Claire"}],
            "use": "official",
            "family": "DUPONT",
            "given": ["Marie"],
        }
    ]
    assert patient_resource["gender"] == "female"
    assert patient_resource["birthDate"] == "1956-03-14"
    sections = [p["extension"][0]["valueCoding"]["code"] for p in communication["payload"]]
    assert sections == ["situation", "background", "assessment", "request"]
    assert {p["extension"][0]["url"] for p in communication["payload"]} == {EXT_SAED_SECTION}
    assert communication["payload"][1]["contentString"] == (
        "Antécédents : HTA traitée, anticoagulée (apixaban)."
    )
    assert _resources(bundle, "Observation") == []  # no weight in this form


def test_handoff_without_ins_with_weight() -> None:
    msg = message("handoff")
    msg["handoff"]["patient"] = {**patient(ins=None, weight=72), "sex": "U"}
    bundle = valid_bundle(msg)
    patient_resource = only(bundle, "Patient")
    assert "identifier" not in patient_resource
    assert patient_resource["gender"] == "unknown"
    weight = only(bundle, "Observation")
    assert weight["code"]["coding"][0]["code"] == "29463-7"
    assert weight["valueQuantity"] == {
        "value": 72,
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    }
    assert by_reference(bundle, weight["subject"]) is patient_resource


@pytest.mark.parametrize(("sex", "gender"), [("F", "female"), ("M", "male"), ("U", "unknown")])
def test_sex_maps_to_gender(sex: str, gender: str) -> None:
    msg = message("handoff")
    msg["handoff"]["patient"]["sex"] = sex
    assert only(valid_bundle(msg), "Patient")["gender"] == gender


def test_prescription_with_several_lines() -> None:
    msg = message("prescription", priority="urgent", reply_to=ANSWERED_ID)
    bundle = valid_bundle(msg)
    header = bundle["entry"][0]["resource"]
    assert header["eventCoding"]["code"] == "prescription"
    requests = _resources(bundle, "MedicationRequest")
    assert len(requests) == 3
    assert header["focus"] == [{"reference": e["fullUrl"]} for e in bundle["entry"][1:4]]
    prescriber = by_reference(bundle, header["author"])
    assert prescriber["identifier"] == [
        {
            "use": "official",
            "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "IDNPS"}]},
            "system": IDNPS_SYSTEM,
            "value": "810001234567",
        },
        {
            "use": "official",
            "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "RPPS"}]},
            "system": RPPS_SYSTEM,
            "value": "10001234567",
        },
    ]
    assert prescriber["telecom"] == [
        {"system": "phone", "value": "04 72 00 00 00", "use": "work"},
        {"system": "email", "value": "c.martin@example.fr", "use": "work"},
    ]
    weight = only(bundle, "Observation")
    assert weight["effectiveDateTime"] == "2026-11-29"
    first, second, third = requests
    for n, request in enumerate(requests, start=1):
        assert request["status"] == "active"
        assert request["intent"] == "order"
        assert request["priority"] == "urgent"
        assert request["authoredOn"] == "2026-11-29"
        assert request["requester"] == header["author"]
        assert request["groupIdentifier"] == {"system": MESSAGE_SYSTEM, "value": MESSAGE_ID}
        assert request["identifier"][0]["value"] == f"{MESSAGE_ID}-{n}"
        assert by_reference(bundle, request["subject"]) is only(bundle, "Patient")
        assert [by_reference(bundle, r) for r in request["supportingInformation"]] == [weight]
        assert {"url": EXT_REPLY_TO, "valueReference": {"identifier": {
            "system": MESSAGE_SYSTEM, "value": ANSWERED_ID}}} in request["extension"]  # fmt: skip
        assert request["note"][-1] == {"text": "Allergie à la pénicilline écartée."}
    assert first["medicationCodeableConcept"] == {"text": "Amoxicilline 250 mg/5 ml"}
    assert first["dosageInstruction"] == [{"sequence": 1, "text": "5 ml matin, midi et soir"}]
    # R.5132-22: three months from 29 November 2026; 29 February 2027 does not exist.
    validity = {"start": "2026-11-29", "end": "2027-02-28"}
    assert first["dispenseRequest"] == {
        "validityPeriod": validity,
        "numberOfRepeatsAllowed": 0,
        "quantity": {"value": 1, "unit": "flacon"},
        "expectedSupplyDuration": {
            "value": 7,
            "unit": "jours",
            "system": "http://unitsofmeasure.org",
            "code": "d",
        },
    }
    # What does not read as a number and a unit is kept word for word.
    assert second["dispenseRequest"] == {"validityPeriod": validity, "numberOfRepeatsAllowed": 2}
    assert second["note"][0] == {"text": "Durée : jusqu'à disparition de la fièvre"}
    assert third["medicationCodeableConcept"] == {"text": "Sérum physiologique"}
    assert third["dispenseRequest"] == {"validityPeriod": validity, "numberOfRepeatsAllowed": 12}
    assert third["note"][0] == {"text": "Quantité : boîte de 40 unidoses"}


@pytest.mark.parametrize(
    ("duration", "code", "value"),
    [("10 j", "d", 10), ("3 semaines", "wk", 3), ("6 mois", "mo", 6), ("1 an", "a", 1)],
)
def test_prescription_durations_in_ucum(duration: str, code: str, value: int) -> None:
    msg = message("prescription")
    msg["prescription"]["lines"][0]["duration"] = duration
    first = _resources(valid_bundle(msg), "MedicationRequest")[0]
    supply = first["dispenseRequest"]["expectedSupplyDuration"]
    assert (supply["code"], supply["value"]) == (code, value)


def test_prescription_from_a_practice_has_the_prescriber_as_author() -> None:
    msg = message("prescription")
    msg["sender"] = {
        "name": "Maison de santé",
        "node_id": "aaaa-bbbb-cccc-dddd",
        "role": "practice",
    }
    bundle = valid_bundle(msg)
    header = bundle["entry"][0]["resource"]
    assert by_reference(bundle, header["sender"])["resourceType"] == "Organization"
    assert by_reference(bundle, header["author"])["identifier"][0]["system"] == IDNPS_SYSTEM


def test_attachment() -> None:
    bundle = valid_bundle(message("attachment"))
    communication = only(bundle, "Communication")
    attachment = communication["payload"][0]["contentAttachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["size"] == 48213
    assert attachment["title"] == "bilan.pdf"
    assert "hash" not in attachment  # R4's hash is SHA-1; ours is SHA-256, in the extension
    assert attachment["extension"] == [
        {"url": EXT_SHA256, "valueBase64Binary": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}
    ]
    assert communication["payload"][1] == {"contentString": "Bilan sanguin du 28/11"}
    assert communication["status"] == "completed"


def test_incomplete_incoming_attachment_is_in_progress() -> None:
    msg = message("attachment", direction="in", status="received", caption=None)
    msg["attachment"] = {**msg["attachment"], "done": 0, "complete": False, "caption": None}
    communication = only(valid_bundle(msg), "Communication")
    assert communication["status"] == "in-progress"
    assert len(communication["payload"]) == 1


def test_corrupt_incoming_attachment_is_stopped() -> None:
    msg = message("attachment", direction="in", status="received")
    msg["attachment"] = {**msg["attachment"], "complete": False, "corrupt": True}
    assert only(valid_bundle(msg), "Communication")["status"] == "stopped"


@pytest.mark.parametrize(("direction", "side"), [("out", "recipient"), ("in", "sender")])
def test_removed_contact_is_named_by_its_node_id(direction: str, side: str) -> None:
    msg = message("text", direction=direction, status="received", contact_id="00" * 32)
    if direction == "in":
        msg["sender"], msg["recipient"] = msg["recipient"], msg["sender"]
    msg[side] = None  # what the API gives once the contact is gone
    bundle = valid_bundle(msg)
    header = bundle["entry"][0]["resource"]
    endpoint = header["source"] if side == "sender" else header["destination"][0]
    assert endpoint["endpoint"] == "releve://node/" + "-".join(["aaaa"] * 13)
    assert "name" not in endpoint
    communication = only(bundle, "Communication")
    reference = communication["sender"] if side == "sender" else communication["recipient"][0]
    contact = by_reference(bundle, reference)
    assert contact["identifier"] == [
        {"system": "urn:releve:node", "value": "-".join(["aaaa"] * 13)}
    ]
    assert "name" not in contact
    assert ("author" in header) is (side == "recipient")  # an unknown sender is no known author


def test_organization_parties() -> None:
    msg = message("text")
    msg["recipient"] = {
        "name": "Laboratoire Bio",
        "node_id": "llll-aaaa-bbbb-0000",
        "role": "laboratory",
    }
    bundle = valid_bundle(msg)
    receiver = by_reference(bundle, bundle["entry"][0]["resource"]["destination"][0]["receiver"])
    assert receiver["resourceType"] == "Organization"
    assert receiver["name"] == "Laboratoire Bio"


@settings(max_examples=40, deadline=None)
@given(
    sections=st.lists(st.text(min_size=1, max_size=300), min_size=4, max_size=4),
    urgent=st.booleans(),
    lines=st.integers(min_value=1, max_value=50),
    renewals=st.integers(min_value=0, max_value=12),
)
def test_any_form_content_gives_valid_r4(
    sections: list[str], urgent: bool, lines: int, renewals: int
) -> None:
    if any(not _BAD_CHARS.sub("", s).strip() for s in sections):
        return  # a blank section is refused before a message exists (shared spec)
    priority = "urgent" if urgent else "normal"
    handoff = message("handoff", priority=priority)
    handoff["handoff"].update(
        zip(("situation", "background", "assessment", "request"), sections, strict=True)
    )
    assert problems(message_bundle(handoff, EXPORTED_AT)) == []
    prescription = message("prescription", priority=priority)
    line = {**prescription["prescription"]["lines"][0], "renewals": renewals, "dosage": sections[0]}
    prescription["prescription"]["lines"] = [line] * lines
    bundle = message_bundle(prescription, EXPORTED_AT)
    assert problems(bundle) == []
    assert len(_resources(bundle, "MedicationRequest")) == lines


# --- the node's own Message JSON -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "handoff", "prescription"])
def test_message_json_from_the_node_exports_valid_r4(kind: str) -> None:
    """The forms go through the protocol's checks and the store row's JSON, as the API does."""
    today = date(2026, 11, 29)
    form = message(kind)[kind]
    if kind == "text":
        form = {"text": form}
    else:
        # Valid keys: INS 2560375123456 + 54 (97 - n mod 97), RPPS 1000123456 + Luhn 5.
        # An INS travels with a qualified identity, in a handoff as in a prescription.
        form["patient"] = {
            **form["patient"],
            "ins": "2 56 03 75 123 456 54",
            "ins_status": "qualified",
        }
        if kind == "prescription":
            # Version 2 (issue #16): an INS that matches a girl born in May 2019, qualified;
            # the prescriber's e-mail; each line's INN; durations that read as durations.
            form["patient"] = {
                **form["patient"],
                "ins": "219057512345656",
                "ins_status": "qualified",
            }
            form["prescriber"] = {
                **form["prescriber"],
                "rpps": "10001234565",
                "email": "c.martin@example.fr",
            }
            form["lines"] = [
                {**line, "inn": inn, "non_substitutable": reason}
                for line, inn, reason in zip(
                    form["lines"],
                    ("amoxicilline", "paracétamol", "chlorure de sodium"),
                    (None, "EFG", None),
                    strict=True,
                )
            ]
            form["lines"][1]["duration"] = "5 jours"
            form["lines"][2] = {**form["lines"][2], "strength": "0,9 %", "renewals": 2}
    if kind == "handoff":
        form = {**form, "severity": "unstable", "allergies": ["Iode"], "treatments": []}
    content = content_from_json(kind, form, today, callback="04 72 00 00 00")
    payload_kind, body = encode_conversation(
        Meta(Priority.URGENT, bytes.fromhex(ANSWERED_ID)), content
    )
    me = records.party(Profile("Dr Claire Martin", Role.GP, "04 72 00 00 00"), b"\x01" * 32)
    them = records.party(Profile("Pharmacie du Centre", Role.PHARMACIST), b"\x02" * 32)
    row = MessageRow(
        message_id=bytes.fromhex(MESSAGE_ID),
        contact_id=b"\x02" * 32,
        direction="out",
        seq=3,
        kind=payload_kind,
        body=body,
        sent_at_ms=1_795_946_400_000,
        received_at=None,
        status="delivered",
        delivered_at=1_795_946_401.5,
        read_at=None,
        priority=int(Priority.URGENT),
        reply_to=bytes.fromhex(ANSWERED_ID),
    )
    record = records.message_record(row, me, them, None)
    bundle = valid_bundle(record)
    assert bundle["entry"][0]["resource"]["eventCoding"]["code"] == kind
    if kind == "handoff":
        patient_resource = only(bundle, "Patient")
        assert patient_resource["identifier"][0]["value"] == "256037512345654"
        # The handoff's INS status, read back from the wire, as FR Core's reliability.
        (reliability,) = patient_resource["extension"]
        assert reliability["url"] == EXT_IDENTITY_RELIABILITY
        assert reliability["extension"][0]["valueCoding"]["code"] == "QUAL"
        said = [p["contentString"] for p in only(bundle, "Communication")["payload"]]
        assert "Gravité : instable" in said
        assert "Rappeler au : 04 72 00 00 00" in said
        assert "Allergies : Iode" in said
        assert "Traitements en cours : aucune connue" in said
    if kind == "prescription":
        patient_resource = only(bundle, "Patient")
        assert patient_resource["identifier"][0]["value"] == "219057512345656"
        requests = _resources(bundle, "MedicationRequest")
        assert len(requests) == 3
        assert {r["priority"] for r in requests} == {"urgent"}
        assert requests[1]["substitution"]["allowedBoolean"] is False
        assert requests[1]["substitution"]["reason"]["coding"][0]["code"] == "EFG"
        assert "substitution" not in requests[0]
        assert requests[1]["medicationCodeableConcept"]["text"] == "Paracétamol 2,4 %"
        assert requests[2]["medicationCodeableConcept"]["text"] == (
            "Sérum physiologique 0,9 % (chlorure de sodium)"
        )
    assert format_node_id(b"\x02" * 32) in json.dumps(bundle)


# --- the validator is live ------------------------------------------------------------------


def _communication(bundle: JSON) -> JSON:
    return only(bundle, "Communication")


def _drop_source(bundle: JSON) -> None:
    del bundle["entry"][0]["resource"]["source"]


def _unknown_element(bundle: JSON) -> None:
    _communication(bundle)["colour"] = "red"


def _bad_datetime(bundle: JSON) -> None:
    _communication(bundle)["sent"] = "29/11/2026 10:00"


def _string_for_list(bundle: JSON) -> None:
    _communication(bundle)["recipient"] = _communication(bundle)["recipient"][0]


def _no_payload_content(bundle: JSON) -> None:
    _communication(bundle)["payload"] = [{"extension": [{"url": "urn:x", "valueString": "y"}]}]


def _r5_medication(bundle: JSON) -> None:
    request = _resources(bundle, "MedicationRequest")[0]
    request["medication"] = {"concept": request.pop("medicationCodeableConcept")}


def _repeats_as_text(bundle: JSON) -> None:
    _resources(bundle, "MedicationRequest")[0]["dispenseRequest"]["numberOfRepeatsAllowed"] = "2"


LIBRARY_CATCHES: list[tuple[str, Callable[[JSON], None], str]] = [
    ("text", _drop_source, 'property "source"'),
    ("text", _unknown_element, 'Superfluous entry "colour"'),
    ("text", _bad_datetime, "does not match expected format"),
    ("text", _string_for_list, 'list property "recipient"'),
    ("attachment", _no_payload_content, 'property "content"'),
    # R5's shape (medication as a CodeableReference): the models really are R4's.
    ("prescription", _r5_medication, 'property "medication"'),
    ("prescription", _repeats_as_text, '"numberOfRepeatsAllowed"'),
]


@pytest.mark.parametrize(("kind", "breakage", "complaint"), LIBRARY_CATCHES)
def test_fhirclient_rejects_a_broken_bundle(
    kind: str, breakage: Callable[[JSON], None], complaint: str
) -> None:
    bundle = message_bundle(message(kind), EXPORTED_AT)
    assert fhirclient_problems(bundle) == []
    breakage(bundle)
    found = fhirclient_problems(bundle)
    assert len(found) == 1
    assert complaint in found[0]


def _gender_code(bundle: JSON) -> None:
    only(bundle, "Patient")["gender"] = "F"


def _header_last(bundle: JSON) -> None:
    bundle["entry"].append(bundle["entry"].pop(0))


def _dangling_reference(bundle: JSON) -> None:
    only(bundle, "Communication")["subject"] = {
        "reference": "urn:uuid:" + "0" * 8 + "-0000-5000-8000-" + "0" * 12
    }


def _duplicate_full_url(bundle: JSON) -> None:
    bundle["entry"].append(copy.deepcopy(bundle["entry"][1]))


def _null_element(bundle: JSON) -> None:
    only(bundle, "Communication")["sent"] = None


def _control_character(bundle: JSON) -> None:
    only(bundle, "Communication")["payload"][0]["contentString"] = "Situation\x07"


OUR_CHECKS_CATCH: list[tuple[Callable[[JSON], None], str]] = [
    (_gender_code, "binding: Patient.gender"),
    (_header_last, "bdl-12"),
    (_dangling_reference, "reference not resolved"),
    (_duplicate_full_url, "bdl-7"),
    (_null_element, "ele-1"),
    (_control_character, "string: forbidden characters"),
]


@pytest.mark.parametrize(("breakage", "complaint"), OUR_CHECKS_CATCH)
def test_added_checks_reject_a_broken_bundle(
    breakage: Callable[[JSON], None], complaint: str
) -> None:
    bundle = valid_bundle(message("handoff"))
    breakage(bundle)
    assert any(problem.startswith(complaint) for problem in problems(bundle)), problems(bundle)


# --- ids, determinism, what stays out -------------------------------------------------------


def test_ids_are_deterministic_and_distinct() -> None:
    first = message_bundle(message("prescription"), EXPORTED_AT)
    again = message_bundle(message("prescription"), EXPORTED_AT + timedelta(days=3))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
    assert first["id"] == again["id"] == resource_id(MESSAGE_ID, "bundle")
    assert first["entry"][1]["resource"]["id"] == resource_id(MESSAGE_ID, "line-1")
    other = message_bundle(message("prescription", message_id="1" * 32), EXPORTED_AT)
    assert not {e["fullUrl"] for e in first["entry"]} & {e["fullUrl"] for e in other["entry"]}
    assert first["timestamp"] != again["timestamp"]


def test_internal_fields_stay_out() -> None:
    for kind in ("text", "handoff", "prescription", "attachment"):
        text = json.dumps(message_bundle(message(kind), EXPORTED_AT))
        assert CONTACT_ID not in text
        assert "contact_verified" not in text
        assert '"seq"' not in text


def test_export_bundles_keeps_order_and_time() -> None:
    messages = [message("text", message_id=f"{n:032x}") for n in range(1, 4)]
    bundles = export_bundles(iter(messages), EXPORTED_AT)
    assert [b["identifier"]["value"] for b in bundles] == [m["message_id"] for m in messages]
    assert {b["timestamp"] for b in bundles} == {"2026-11-30T09:15:00.000Z"}
    assert export_bundles([], EXPORTED_AT) == []


def test_export_time_in_another_zone_is_given_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    bundle = message_bundle(message("text"), datetime(2026, 11, 30, 10, 15, tzinfo=paris))
    assert bundle["timestamp"] == "2026-11-30T09:15:00.000Z"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "receipt"}, "kind"),
        ({"message_id": "xyz"}, "message_id"),
        ({"reply_to": "12"}, "reply_to"),
        ({"priority": "high"}, "priority"),
        ({"sender": None}, "sender"),
        ({"recipient": {"name": "X", "role": "gp"}}, "recipient.node_id"),
        ({"text": "   "}, "text"),
        ({"sent_at": "2026-11-29T10:00:00"}, "sent_at"),
    ],
)
def test_unusable_message_json_is_refused(change: JSON, field: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field)) as caught:
        message_bundle({**message("text"), **change}, EXPORTED_AT)
    assert "Bonjour" not in str(caught.value)


def test_patient_field_errors_never_show_the_value() -> None:
    msg = message("handoff")
    msg["handoff"]["patient"]["birth_date"] = "14/03/1956"
    with pytest.raises(ValueError, match=r"patient\.birth_date") as caught:
        message_bundle(msg, EXPORTED_AT)
    assert "1956" not in str(caught.value)


def test_naive_export_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        message_bundle(message("text"), datetime(2026, 11, 30, 9, 15))


# --- a prescription's lifecycle, identity and substitution (issue #16) ------------------------


@pytest.mark.parametrize(
    ("lifecycle", "status"),
    [
        (None, "active"),
        ({"state": "active", "expired": False, "dispensing": []}, "active"),
        ({"state": "cancelled", "expired": False, "dispensing": []}, "cancelled"),
        ({"state": "replaced", "expired": False, "dispensing": []}, "stopped"),
        ({"state": "active", "expired": True, "dispensing": []}, "stopped"),
        (
            {"state": "active", "expired": False, "dispensing": [{"state": "dispensed"}]},
            "completed",
        ),
    ],
)
def test_the_lifecycle_gives_the_order_status(lifecycle: JSON | None, status: str) -> None:
    prescription = message("prescription", lifecycle=lifecycle)
    bundle = message_bundle(prescription, EXPORTED_AT)
    assert problems(bundle) == []
    assert {r["status"] for r in _resources(bundle, "MedicationRequest")} == {status}


def test_an_amendment_names_the_prescription_it_replaces() -> None:
    prescription = message("prescription")
    prescription["prescription"] = {**prescription["prescription"], "replaces": ANSWERED_ID}
    bundle = message_bundle(prescription, EXPORTED_AT)
    assert problems(bundle) == []
    first = _resources(bundle, "MedicationRequest")[0]
    assert first["priorPrescription"] == {
        "type": "MedicationRequest",
        "identifier": {"system": "urn:releve:prescription-line", "value": f"{ANSWERED_ID}-1"},
    }


def test_a_nia_goes_under_its_own_oid_and_the_ins_status_travels() -> None:
    handoff = message("handoff")
    handoff["handoff"]["patient"] = {
        **patient(ins="756037512345678"),
        "ins_status": "qualified",
    }
    bundle = message_bundle(handoff, EXPORTED_AT)
    assert problems(bundle) == []
    resource = only(bundle, "Patient")
    # FR Core's INS-NIA slice: use temp, type INS-NIA, the INS-NIA's OID.
    assert resource["identifier"] == [
        {
            "use": "temp",
            "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "INS-NIA"}]},
            "system": "urn:oid:1.2.250.1.213.1.4.9",
            "value": "756037512345678",
        }
    ]
    assert NIA_SYSTEM == "urn:oid:1.2.250.1.213.1.4.9"
    assert resource["extension"] == [
        {
            "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
            "extension": [
                {
                    "url": "identityStatus",
                    "valueCoding": {
                        "system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status",
                        "code": "QUAL",
                        "display": "Identité qualifiée",
                    },
                }
            ],
        }
    ]
    assert (
        only(message_bundle(message("handoff"), EXPORTED_AT), "Patient")["identifier"][0]["system"]
        == "urn:oid:1.2.250.1.213.1.4.8"
    )


@pytest.mark.parametrize(
    ("kind", "form", "words"),
    [
        ("cancellation", {"date": "2026-11-29", "reason": "Erreur"}, "Ordonnance annulée"),
        (
            "dispensing",
            {"state": "refused", "note": "Rupture", "confirmed_by_phone": True},
            "Refusée par le pharmacien (confirmée par téléphone avec le prescripteur). Rupture",
        ),
    ],
)
def test_cancellations_and_dispensing_reports_export_as_communications(
    kind: str, form: JSON, words: str
) -> None:
    record = message(kind, reply_to=ANSWERED_ID)
    record[kind] = form
    bundle = message_bundle(record, EXPORTED_AT)
    assert problems(bundle) == []
    assert words in only(bundle, "Communication")["payload"][0]["contentString"]


# --- FR Core (hl7.fhir.fr.core 2.2.0): slices and extensions (issue #16) ---------------------


@pytest.mark.parametrize(
    ("first_names", "ins", "given", "birth_list"),
    [
        ("Marie", None, ["Marie"], None),
        ("Marie Claire Anne", None, ["Marie"], "Marie Claire Anne"),
        ("Jean-Pierre", None, ["Jean-Pierre"], None),
        # fr-core-patient-ins requires the list even for one given name.
        ("Marie", "256037512345678", ["Marie"], "Marie"),
    ],
)
def test_given_is_the_first_given_name_and_the_list_goes_in_its_extension(
    first_names: str, ins: str | None, given: list[str], birth_list: str | None
) -> None:
    msg = message("handoff")
    msg["handoff"]["patient"] = {**patient(ins=ins), "first_names": first_names}
    name = only(valid_bundle(msg), "Patient")["name"][0]
    assert name["use"] == "official"
    assert name["given"] == given
    if birth_list is None:
        assert "extension" not in name
    else:
        assert name["extension"] == [{"url": EXT_BIRTH_LIST_GIVEN_NAME, "valueString": birth_list}]
    assert EXT_BIRTH_LIST_GIVEN_NAME == (
        "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name"
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [("provisional", "PROV"), ("retrieved", "RECUP"), ("validated", "VALI"), ("qualified", "QUAL")],
)
def test_each_identity_status_is_fr_cores_rniv_code(status: str, code: str) -> None:
    msg = message("prescription")
    msg["prescription"]["patient"] = {**msg["prescription"]["patient"], "ins_status": status}
    if status != "qualified":
        msg["prescription"]["patient"]["ins"] = None  # an INS travels only when qualified
    resource = only(valid_bundle(msg), "Patient")
    (reliability,) = resource["extension"]
    assert reliability["url"] == EXT_IDENTITY_RELIABILITY
    assert reliability["extension"] == [
        {
            "url": "identityStatus",
            "valueCoding": {
                "system": IDENTITY_STATUS_SYSTEM,
                "code": code,
                "display": reliability["extension"][0]["valueCoding"]["display"],
            },
        }
    ]
    assert reliability["extension"][0]["valueCoding"]["display"].startswith("Identité ")


def test_no_identity_status_no_extension_and_no_relève_one() -> None:
    bundle = valid_bundle(message("handoff"))
    assert "extension" not in only(bundle, "Patient")
    assert "ins-status" not in json.dumps(bundle)


def test_an_unknown_identity_status_is_a_bug_of_ours() -> None:
    msg = message("handoff")
    msg["handoff"]["patient"] = {**patient(), "ins_status": "sure"}
    with pytest.raises(ValueError, match="ins_status"):
        message_bundle(msg, EXPORTED_AT)


@pytest.mark.parametrize("node_id", ["k3xq-7b2m-p4ta-9c1d", "-".join(["tq6c"] * 13)])
def test_message_header_endpoints_are_urls_with_a_host(node_id: str) -> None:
    """R4's url (and fhir.resources 6.x, pydantic's AnyUrl) wants a scheme and a host: a URN
    is refused, and a 64-character node id is no host (labels stop at 63 characters)."""
    msg = message("text")
    msg["sender"] = {**msg["sender"], "node_id": node_id}
    header = valid_bundle(msg)["entry"][0]["resource"]
    url = urlsplit(header["source"]["endpoint"])
    assert (url.scheme, url.netloc, url.path) == ("releve", "node", "/" + node_id)
    assert header["source"]["endpoint"].startswith(ENDPOINT_PREFIX)
    for endpoint in (header["source"]["endpoint"], header["destination"][0]["endpoint"]):
        assert re.fullmatch(r"[a-z][a-z0-9+.\-]*://[a-z0-9\-]{1,63}/\S+", endpoint)


def test_substitution_only_on_the_line_that_forbids_it_and_no_note_copied() -> None:
    msg = message("prescription")
    lines = msg["prescription"]["lines"]
    lines[0] = {**lines[0], "non_substitutable": "MTE"}
    msg["prescription"]["notes"] = None
    first, second, third = _resources(valid_bundle(msg), "MedicationRequest")
    assert first["substitution"] == {
        "allowedBoolean": False,
        "reason": {
            "coding": [{"system": "urn:releve:fhir:CodeSystem:non-substitution", "code": "MTE"}],
            "text": "Non substituable (MTE) : marge thérapeutique étroite",
        },
    }
    assert "substitution" not in second
    assert "substitution" not in third
    assert not any("substitu" in json.dumps(r.get("note", [])).lower() for r in (second, third))


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ("Demande\xa0: radio", "Demande : radio"),  # no-break space before ":", as French types
        ("10\u202fmg", "10 mg"),  # narrow no-break space (thousands, units)
        ("ligne 1\u2028ligne 2\x85ligne 3", "ligne 1\nligne 2\nligne 3"),
        ("\ufeffBonjour", "\u2060Bonjour"),  # a byte order mark pasted: U+2060 in its stead
        ("\ufeff", "\u2060"),  # the forms take a text of it alone: still a text
        ("a\u3000b\u2009c", "a b c"),
    ],
)
def test_unicode_spaces_become_plain_so_the_json_schema_accepts_them(
    typed: str, exported: str
) -> None:
    text = only(valid_bundle(message("text", text=typed)), "Communication")
    assert text["payload"] == [{"contentString": exported}]
    handoff = message("handoff")
    handoff["handoff"] = {**handoff["handoff"], "contingency": typed, "allergies": [typed]}
    payload = only(valid_bundle(handoff), "Communication")["payload"]
    assert {"contentString": f"Conduite à tenir si : {exported}"} in [
        {"contentString": p["contentString"]} for p in payload
    ]
    assert f"Allergies : {exported}" in [p["contentString"] for p in payload]


def test_a_version_2_handoff_exports_home_allergies_and_treatments_as_resources() -> None:
    msg = message("handoff")
    msg["handoff"] = {
        **msg["handoff"],
        "severity": "watcher",
        "callback": "04 72 00 00 00",
        "allergies": ["Pénicilline", "Iode"],
        "treatments": ["Apixaban 5 mg matin et soir"],
        "contingency": "Si douleur non calmée : rappeler.",
        "home": {
            "address": "12 rue des Lilas\n69003 Lyon",
            "phone": "04 78 00 00 00",
            "next_of_kin": {"name": "Paul Dupont", "relationship": "fils", "phone": "06 00 00"},
        },
    }
    bundle = valid_bundle(msg)
    communication = only(bundle, "Communication")
    patient_resource = by_reference(bundle, communication["subject"])
    assert patient_resource["address"] == [{"use": "home", "text": "12 rue des Lilas\n69003 Lyon"}]
    assert patient_resource["telecom"] == [
        {"system": "phone", "value": "04 78 00 00 00", "use": "home"}
    ]
    assert patient_resource["contact"] == [
        {
            "relationship": [{"text": "fils"}],
            "name": {"text": "Paul Dupont"},
            "telecom": [{"system": "phone", "value": "06 00 00"}],
        }
    ]
    about = [by_reference(bundle, ref) for ref in communication["about"]]
    named = [(r["resourceType"], r.get("code", r.get("medicationCodeableConcept"))) for r in about]
    assert named == [
        ("AllergyIntolerance", {"text": "Pénicilline"}),
        ("AllergyIntolerance", {"text": "Iode"}),
        ("MedicationStatement", {"text": "Apixaban 5 mg matin et soir"}),
    ]
    for resource in about:
        owner: JSON = resource["patient"] if "patient" in resource else resource["subject"]
        assert by_reference(bundle, owner) is patient_resource
    # The text payload keeps them too, for a record that takes only text.
    texts = [p["contentString"] for p in communication["payload"]]
    assert "Allergies : Pénicilline; Iode" in texts


@pytest.mark.parametrize(("allergies", "treatments"), [([], []), (None, None)])
def test_none_known_or_not_stated_makes_no_resource(
    allergies: list[str] | None, treatments: list[str] | None
) -> None:
    msg = message("handoff")
    msg["handoff"] = {**msg["handoff"], "allergies": allergies, "treatments": treatments}
    bundle = valid_bundle(msg)
    assert "about" not in only(bundle, "Communication")
    assert _resources(bundle, "AllergyIntolerance") == []
    assert _resources(bundle, "MedicationStatement") == []


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.text(min_size=1, max_size=200), min_size=4, max_size=4),
)
def test_any_text_in_a_message_or_a_version_2_field_gives_valid_r4(words: list[str]) -> None:
    """Whatever a person may type (any Unicode: spaces of every kind, separators, marks) in a
    text message, a contingency, an allergy or a home address: both validators accept it."""
    if any(not _BAD_CHARS.sub("", w).strip() for w in words):
        return  # a blank field is refused before a message exists
    text, contingency, allergy, address = words
    assert problems(message_bundle(message("text", text=text), EXPORTED_AT)) == []
    handoff = message("handoff")
    handoff["handoff"] = {
        **handoff["handoff"],
        "contingency": contingency,
        "allergies": [allergy],
        "treatments": [],
        "home": {"address": address, "phone": None, "next_of_kin": None},
    }
    assert problems(message_bundle(handoff, EXPORTED_AT)) == []


def test_the_nodes_valid_until_is_the_validity_period_end() -> None:
    msg = message("prescription")
    msg["prescription"] = {**msg["prescription"], "valid_until": "2027-02-28"}
    for request in _resources(valid_bundle(msg), "MedicationRequest"):
        assert request["dispenseRequest"]["validityPeriod"] == {
            "start": "2026-11-29",
            "end": "2027-02-28",
        }
    msg["prescription"]["valid_until"] = "28/02/2027"
    with pytest.raises(ValueError, match="valid_until"):
        message_bundle(msg, EXPORTED_AT)
