r"""FHIR R4 (4.0.1) export of clinical messages: one message Bundle per message.

Pure: takes the local API's Message JSON (docs/local-api.md; shared spec "Message JSON") and the
export time, returns plain JSON-ready dicts. No I/O, no clock, no randomness.

Bundle shape (Bundle.type "message", identifier = the message id, timestamp = export time):

  entry 0   MessageHeader   eventCoding = the message kind; source/destination endpoints are
                            ``releve://node/<node id>``; sender (and author when a person) refer
                            to the parties; focus = the clinical resources below
  text, handoff, attachment,
  cancellation, dispensing  -> one Communication (handoff: one payload per SAED section and
                            version 2 field, the Patient as subject, its allergies and current
                            treatments in ``about``); prescription -> one MedicationRequest per
                            line, sharing groupIdentifier = the message id, requester = the
                            prescriber
  then      Patient (handoff, prescription; a handoff's home address, phone and next of kin as
            its address, telecom and contact), Observation body weight (when the form has one:
            it is what a pharmacist checks a child's dose against), one AllergyIntolerance per
            allergy and one MedicationStatement per treatment of a version 2 handoff (also in
            the text payload, for a record that takes only text), Practitioner/Organization for
            the sender, the recipient and the prescriber.

Ids are deterministic: uuid5(_NAMESPACE, "<message id>:<role>"), fullUrl "urn:uuid:<id>", so a
second export of the same message yields the same resources and a record can deduplicate.

Relève's own names live under one unregistered URN namespace, ``urn:releve:``, rather than under a
web domain we do not own (a receiver treats them as opaque identifiers, as FHIR allows for uri):
  urn:releve:message                            identifier system: 32-hex message ids
  urn:releve:prescription-line                  identifier system: "<message id>-<line number>"
  urn:releve:node                               identifier system: node ids (k3xq-7b2m-...)
  urn:releve:fhir:CodeSystem:message-kind       codes text | handoff | prescription | attachment
  urn:releve:fhir:CodeSystem:saed-section       codes situation | background | assessment | request
                                                (and the handoff's version 2 fields)
  urn:releve:fhir:CodeSystem:non-substitution   codes MTE | EFG | CIF (L.5125-23)
  urn:releve:fhir:StructureDefinition:*         saed-section, attachment-sha256, reply-to,
                                                acknowledged-at (below)
and MessageHeader's endpoints use the scheme ``releve:`` (a url is needed there: below).

Decisions:
- Attachment.hash is, in R4, the base64 SHA-1 of the data. We only have SHA-256, and a value that is
  not a SHA-1 there would make a receiver that checks the hash reject a good file, so hash is left
  out and the SHA-256 travels in the extension ``...:attachment-sha256`` (valueBase64Binary: the
  same encoding as Attachment.hash, for a different algorithm). The file's bytes are not in the
  Bundle (up to 64 MiB; GET /v1/messages/{id}/file serves them).
- R4's Communication.payload has no label, so each SAED section carries one twice: an extension
  ``...:saed-section`` (valueCoding, for software) and its French heading at the start of the text
  (for the people reading a record that ignores unknown extensions, as FHIR lets it).
- reply_to becomes Communication.inResponseTo as a logical reference (identifier system
  urn:releve:message, no resource type: the answered message may be a prescription). A literal
  urn:uuid reference would point outside this Bundle, where nothing can resolve it. A prescription
  (MedicationRequest has no inResponseTo) carries it in the extension ``...:reply-to``.
- acknowledged_at (a person acknowledged an urgent message) is clinically relevant and has no R4
  element: extension ``...:acknowledged-at`` (valueDateTime).
- MessageHeader.source/destination.endpoint are of type url, and R4 says of them that "the id
  may be a non-resolvable URI for systems that do not use standard network-based addresses":
  a node is reached through its contacts' direct addresses and relays, which change and are
  not for a patient's record. The endpoint is ``releve://node/<node id>``: a URL (scheme and
  host) under an unregistered scheme that only Relève resolves. Not ``urn:releve:node:<id>``
  (a URN is no URL: fhir.resources 6.x refuses it, "invalid or missing URL scheme"), nor
  ``releve://<node id>`` (a 64-character node id is no valid host: DNS labels stop at 63).

FR Core (Interop'Santé's French profiles, hl7.fhir.fr.core 2.2.0, August 2026, canonical base
https://hl7.fr/ig/fhir/core): the export follows its slices and extensions wherever Relève has
the data, and claims no profile in meta.profile: fr-core-patient-ins requires the birth place
with its INSEE code, which no Relève form asks.
- The prescriber (FRCorePractitionerProfile, fr-core-practitioner): identifier slice idNatPs,
  type fr-core-cs-v2-0203#IDNPS, system urn:oid:1.2.250.1.71.4.2.1 (IDNPS), value "8" + the
  11 RPPS digits; and slice rpps, type fr-core-cs-v2-0203#RPPS, system
  https://rpps.esante.gouv.fr, value the 11 digits. The prescriber's e-mail (R.5132-3) is a
  telecom of system email.
- The INS (FRCorePatientINSProfile, fr-core-patient-ins): an INS-NIR has use official, type
  fr-core-cs-v2-0203#INS-NIR, system urn:oid:1.2.250.1.213.1.4.8 (INS-NIR), value the 15
  digits; a temporary NIA (first digit 7 or 8) has use temp, type #INS-NIA, system
  urn:oid:1.2.250.1.213.1.4.9 (INS-NIA): never the NIR's OID.
- The birth name (slice officialName): use official, family = the birth name, given = the
  first given name only, and, when there are several given names or the identity carries an
  INS, the extension fr-core-patient-birth-list-given-name (valueString) with the list of
  given names as written (fr-core-patient-ins requires it; the INSi service returns the list
  space-separated).
- The identity status (RNIV 1, [EXI SI 07]: provisional, retrieved, validated, qualified) is
  FR Core's extension fr-core-identity-reliability, sub-extension identityStatus, valueCoding
  from the code system fr-core-cs-identity-status: PROV, RECUP, VALI, QUAL. It replaces the
  ``urn:releve:...:ins-status`` extension that came before FR Core 2.2.0 had these codes.
- A prescription's lifecycle gives MedicationRequest.status: cancelled -> cancelled, replaced ->
  stopped, dispensed -> completed, past its validity with nothing dispensed -> stopped, else
  active. An amendment's lines name the replaced prescription's in priorPrescription (logical
  reference, urn:releve:prescription-line). dispenseRequest.validityPeriod is the date to its
  valid_until (first dispensing within three months, R.5132-22). A line that may not be
  substituted has substitution.allowedBoolean false with its reason (MTE, EFG, CIF:
  L.5125-23) as substitution.reason. The INN follows a brand name in medicationCodeableConcept.text.
- Free-text quantities ("1 boîte") and durations ("7 jours") become Quantity/Duration only when they
  read as a number and a unit (a duration's unit must be a UCUM time unit, R4 invariant drt-1);
  otherwise they go into a note word for word, so nothing the prescriber wrote is lost.
- Communication.status from the delivery status: queued/sent -> in-progress; delivered, read and
  received -> completed; failed -> stopped; an incoming attachment not yet complete ->
  in-progress, one whose SHA-256 did not match -> stopped. A MedicationRequest is "active":
  delivery is not a state of the order (its lifecycle is, below).
- Control characters other than tab, CR and LF, which FHIR strings forbid, are dropped from text.
  Unicode white space other than space, tab, CR and LF is made plain: a no-break space (which
  French typing puts before ":", and a word processor pastes) or another space becomes a space,
  a line or paragraph separator (U+0085, U+2028, U+2029) a line feed, and U+FEFF (a zero-width
  no-break space, or a pasted byte order mark) U+2060 WORD JOINER, which Unicode names in its
  stead: still invisible, not white space, so a text of nothing else stays a text. R4's string
  pattern ``[ \r\n\t\S]+`` comes from XML Schema, where ``\s`` is those four characters
  only; the R4 JSON schema keeps it as an ECMA-262 pattern, whose ``\s`` is every Unicode
  space, so a receiver validating with the JSON schema would refuse a string holding one.
- Never exported: contact ids, sequence numbers, verification state and anything else internal
  to the node; patient data is expected (this is the way back into the patient's record).

Validation, by two independent validators that share no code:
- SMART on FHIR's client-py (PyPI ``fhirclient``, pinned 4.4.0, February 2026), whose models are
  generated from the R4 4.0.1 StructureDefinitions: every element's type and cardinality,
  required elements, unknown elements, date/time formats, and each Bundle entry parsed as the
  resource its resourceType names (tests/unit/node/test_fhir.py, which adds the Bundle
  invariants and required-binding codes it does not check);
- HL7's own R4 JSON schema (fhir.schema.json, 4.0.1), applied with ``jsonschema``
  (tests/unit/node/fhir_schema.py). No PyPI package ships that file: it is vendored in
  tests/vendor/fhir-r4 from the npm package that does, with its licence and SHA-256.
Not chosen for ``make test``: fhir.resources 6.4.0 (its last R4 release; 6.5.0 is R4B, later
lines R4B/R5) imports only with pydantic < 2, so it needs a virtualenv of its own that the
project's files do not install; the endpoint decision above was checked with it by hand.

Errors: a Message JSON that lacks what a Bundle needs raises ValueError. That JSON is the node's
own, so this is a bug of ours, never a peer's input; the messages name the field, never its value.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

from node.protocol.identity import format_node_id
from node.protocol.prescription import valid_until

JSON = dict[str, Any]

_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:releve:fhir")

MESSAGE_SYSTEM: Final = "urn:releve:message"
LINE_SYSTEM: Final = "urn:releve:prescription-line"
NODE_SYSTEM: Final = "urn:releve:node"
KIND_SYSTEM: Final = "urn:releve:fhir:CodeSystem:message-kind"
SAED_SYSTEM: Final = "urn:releve:fhir:CodeSystem:saed-section"
EXT_SAED_SECTION: Final = "urn:releve:fhir:StructureDefinition:saed-section"
EXT_SHA256: Final = "urn:releve:fhir:StructureDefinition:attachment-sha256"
EXT_REPLY_TO: Final = "urn:releve:fhir:StructureDefinition:reply-to"
EXT_ACKNOWLEDGED: Final = "urn:releve:fhir:StructureDefinition:acknowledged-at"
INS_SYSTEM: Final = "urn:oid:1.2.250.1.213.1.4.8"
# A temporary NIA (first digit 7 or 8) is not a NIR: ANS's OID for the INS-NIA.
NIA_SYSTEM: Final = "urn:oid:1.2.250.1.213.1.4.9"
EXT_DISPENSING: Final = "urn:releve:fhir:StructureDefinition:dispensing"
NON_SUBSTITUTION_SYSTEM: Final = "urn:releve:fhir:CodeSystem:non-substitution"
_NON_SUBSTITUTION: Final = {
    "MTE": "Non substituable (MTE) : marge thérapeutique étroite",
    "EFG": "Non substituable (EFG) : enfant de moins de 6 ans",
    "CIF": "Non substituable (CIF) : contre-indication formelle",
}
# A prescription's lifecycle (local API "lifecycle") -> MedicationRequest.status.
_LIFECYCLE_STATUS: Final = {"active": "active", "cancelled": "cancelled", "replaced": "stopped"}
IDNPS_SYSTEM: Final = "urn:oid:1.2.250.1.71.4.2.1"
RPPS_SYSTEM: Final = "https://rpps.esante.gouv.fr"
UCUM: Final = "http://unitsofmeasure.org"
# MessageHeader endpoints (a url): see the module docstring.
ENDPOINT_PREFIX: Final = "releve://node/"
# FR Core 2.2.0 (https://hl7.fr/ig/fhir/core): identifier types, extensions, code systems.
FR_CORE: Final = "https://hl7.fr/ig/fhir/core"
IDENTIFIER_TYPE_SYSTEM: Final = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
EXT_BIRTH_LIST_GIVEN_NAME: Final = (
    f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"
)
EXT_IDENTITY_RELIABILITY: Final = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
IDENTITY_STATUS_SYSTEM: Final = f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status"
# The patient form's ins_status (node/protocol/patient.py InsStatus) -> RNIV code, display.
_IDENTITY_STATUS: Final = {
    "provisional": ("PROV", "Identité provisoire"),
    "retrieved": ("RECUP", "Identité récupérée"),
    "validated": ("VALI", "Identité validée"),
    "qualified": ("QUAL", "Identité qualifiée"),
}

_KIND_DISPLAY: Final = {
    "text": "Message",
    "handoff": "Transmission SAED",
    "prescription": "Ordonnance",
    "attachment": "Pièce jointe",
    "cancellation": "Annulation d'ordonnance",
    "dispensing": "Délivrance",
    "read_back": "Reformulation de la transmission",
}
_DISPENSING_WORDS: Final = {
    "dispensed": "Délivrée",
    "partly_dispensed": "Partiellement délivrée",
    "refused": "Refusée par le pharmacien",
}
# SAED (French SBAR): the form's field, its heading in a record.
_SAED: Final = (
    ("situation", "Situation"),
    ("background", "Antécédents"),
    ("assessment", "Évaluation"),
    ("request", "Demande"),
)
# Handoff version 2 (docs/protocol.md §18.4): each field a payload of its own, coded in the
# same code system as the SAED sections, so that a record keeps them apart.
_HANDOFF_V2: Final = (
    ("severity", "Gravité"),
    ("callback", "Rappeler au"),
    ("allergies", "Allergies"),
    ("treatments", "Traitements en cours"),
    ("contingency", "Conduite à tenir si"),
    ("deadline", "Échéance"),
    ("home", "Domicile"),
)
_SEVERITY_WORDS: Final = {
    "stable": "stable",
    "watcher": "à surveiller",
    "unstable": "instable",
}
_GENDER: Final = {"F": "female", "M": "male", "U": "unknown"}
_ALLERGY_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_COMMUNICATION_STATUS: Final = {
    "queued": "in-progress",
    "sent": "in-progress",
    "delivered": "completed",
    "read": "completed",
    "received": "completed",
    "failed": "stopped",
}
# Roles that are a place rather than a person (node/protocol/profile.py Role).
_ORGANIZATION_ROLES: Final = frozenset({"practice", "laboratory"})

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Unicode white space beyond space, tab, CR and LF (Python's and ECMA-262's \s): see above.
_LINE_BREAKS: Final = re.compile("[\x85\u2028\u2029]")
_SPACES: Final = re.compile("[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_NUMBER_UNIT: Final = re.compile(r"\s*(\d{1,9}(?:[.,]\d{1,6})?)\s*(.*?)\s*")
_DURATION_UNITS: Final = {  # free-text French/English time words -> UCUM (drt-1)
    "h": "h",
    "heure": "h",
    "heures": "h",
    "hour": "h",
    "hours": "h",
    "j": "d",
    "jour": "d",
    "jours": "d",
    "day": "d",
    "days": "d",
    "sem": "wk",
    "semaine": "wk",
    "semaines": "wk",
    "week": "wk",
    "weeks": "wk",
    "mois": "mo",
    "month": "mo",
    "months": "mo",
    "an": "a",
    "ans": "a",
    "année": "a",
    "années": "a",
    "year": "a",
    "years": "a",
}


def resource_id(message_id: str, role: str) -> str:
    """The deterministic id of the resource playing ``role`` in the export of a message."""
    return str(uuid.uuid5(_NAMESPACE, f"{message_id}:{role}"))


def message_bundle(message: Mapping[str, Any], exported_at: datetime) -> dict[str, Any]:
    """The FHIR R4 message Bundle of one Message JSON object (see the module docstring)."""
    return _Export(message, exported_at).bundle()


def export_bundles(
    messages: Iterable[Mapping[str, Any]], exported_at: datetime
) -> list[dict[str, Any]]:
    """One Bundle per message, in the given order, all stamped with the same export time."""
    return [message_bundle(message, exported_at) for message in messages]


class _Export:
    """Builds one Bundle; holds the message and the entries gathered so far."""

    def __init__(self, message: Mapping[str, Any], exported_at: datetime) -> None:
        if exported_at.tzinfo is None:
            raise ValueError("exported_at must carry a time zone")
        self.message = message
        self.exported_at = exported_at
        self.message_id = _hex_id(message.get("message_id"), "message_id")
        self.kind = _text(message, "kind")
        if self.kind not in _KIND_DISPLAY:
            raise ValueError("kind is not one of text, handoff, prescription, attachment")
        urgent = message.get("priority") or "normal"
        if urgent not in ("normal", "urgent"):
            raise ValueError("priority is neither normal nor urgent")
        self.priority = "urgent" if urgent == "urgent" else "routine"
        reply_to = message.get("reply_to")
        self.reply_to = None if reply_to is None else _hex_id(reply_to, "reply_to")
        self.entries: list[JSON] = []

    # --- building blocks ----------------------------------------------------------------

    def ref(self, role: str) -> JSON:
        return {"reference": "urn:uuid:" + resource_id(self.message_id, role)}

    def add(self, role: str, resource: JSON) -> JSON:
        rid = resource_id(self.message_id, role)
        resource = {"resourceType": resource["resourceType"], "id": rid, **resource}
        self.entries.append({"fullUrl": "urn:uuid:" + rid, "resource": resource})
        return self.ref(role)

    def party(self, key: str) -> tuple[JSON, JSON]:
        """The sender or recipient as a resource; returns (reference, its endpoint JSON)."""
        party = self.message.get(key)
        if isinstance(party, Mapping):
            name: str | None = _text(party, "name", field=f"{key}.name")
            node_id = _text(party, "node_id", field=f"{key}.node_id")
        else:
            # A contact removed since: the API gives no party, but its id is its node id.
            contact_side = "sender" if self.message.get("direction") == "in" else "recipient"
            contact_id = self.message.get("contact_id")
            if key != contact_side or not isinstance(contact_id, str):
                raise ValueError(f"{key} is missing")
            try:
                name, node_id = None, format_node_id(bytes.fromhex(contact_id))
            except ValueError:
                raise ValueError(f"{key} is missing and contact_id is not hexadecimal") from None
        identifier = [{"system": NODE_SYSTEM, "value": node_id}]
        endpoint: JSON = {"endpoint": ENDPOINT_PREFIX + node_id}
        if isinstance(party, Mapping) and party.get("role") in _ORGANIZATION_ROLES:
            resource: JSON = {"resourceType": "Organization", "identifier": identifier}
            if name is not None:
                resource["name"] = name
        else:
            resource = {"resourceType": "Practitioner", "identifier": identifier}
            if name is not None:
                resource["name"] = [{"text": name}]
        reference = self.add(key, resource)
        if name is not None:
            reference["display"] = endpoint["name"] = name
        return reference, endpoint

    def form(self) -> Mapping[str, Any]:
        form = self.message.get(self.kind)
        if not isinstance(form, Mapping):
            raise ValueError(f"{self.kind} is missing")
        return form

    def patient(
        self, patient: Any, effective: str | None, home: Any = None
    ) -> tuple[JSON, JSON | None]:
        """Patient (and body weight Observation) -> (patient reference, weight reference).
        ``home``: a handoff's home (address, phone, next of kin) as the Patient's own."""
        if not isinstance(patient, Mapping):
            raise ValueError("patient is missing")
        resource: JSON = {"resourceType": "Patient"}
        status = patient.get("ins_status")
        if status is not None:
            if status not in _IDENTITY_STATUS:
                raise ValueError("patient.ins_status is not a known identity status")
            code, display = _IDENTITY_STATUS[status]
            status_coding = {"system": IDENTITY_STATUS_SYSTEM, "code": code, "display": display}
            resource["extension"] = [
                {
                    "url": EXT_IDENTITY_RELIABILITY,
                    "extension": [{"url": "identityStatus", "valueCoding": status_coding}],
                }
            ]
        ins = patient.get("ins")
        if ins:
            digits = "".join(str(ins).split())
            nia = digits[:1] in ("7", "8")
            kind = "INS-NIA" if nia else "INS-NIR"
            resource["identifier"] = [
                {
                    "use": "temp" if nia else "official",
                    "type": _identifier_type(kind),
                    "system": NIA_SYSTEM if nia else INS_SYSTEM,
                    "value": digits,
                }
            ]
        given = _text(patient, "first_names", field="patient.first_names")
        name: JSON = {}
        if len(given.split()) > 1 or ins:
            name["extension"] = [{"url": EXT_BIRTH_LIST_GIVEN_NAME, "valueString": given}]
        name["use"] = "official"
        name["family"] = _text(patient, "birth_name", field="patient.birth_name")
        name["given"] = given.split()[:1]
        resource["name"] = [name]
        sex = patient.get("sex")
        if sex not in _GENDER:
            raise ValueError("patient.sex is not F, M or U")
        resource["gender"] = _GENDER[sex]
        resource["birthDate"] = _date(patient, "birth_date", "patient.birth_date")
        if home is not None:
            _home_into(resource, home)
        subject = self.add("patient", resource)
        weight = patient.get("weight_kg")
        if weight is None:
            return subject, None
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise ValueError("patient.weight_kg is not a positive number")
        observation: JSON = {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs",
                            "display": "Vital Signs",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [
                    {"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}
                ],
                "text": "Poids",
            },
            "subject": subject,
        }
        if effective is not None:
            observation["effectiveDateTime"] = effective
        observation["valueQuantity"] = {"value": weight, "unit": "kg", "system": UCUM, "code": "kg"}
        return subject, self.add("weight", observation)

    def extensions(self, *, reply: bool) -> list[JSON]:
        found: list[JSON] = []
        if reply and self.reply_to is not None:
            found.append({"url": EXT_REPLY_TO, "valueReference": self.reply_reference()})
        acknowledged = _instant(self.message.get("acknowledged_at"), "acknowledged_at")
        if acknowledged is not None:
            found.append({"url": EXT_ACKNOWLEDGED, "valueDateTime": acknowledged})
        return found

    def reply_reference(self) -> JSON:
        return {"identifier": {"system": MESSAGE_SYSTEM, "value": self.reply_to}}

    # --- the Bundle ---------------------------------------------------------------------

    def bundle(self) -> JSON:
        sender, source = self.party("sender")
        recipient, destination = self.party("recipient")
        if self.kind == "prescription":
            focus, author = self.prescription(), self.ref("prescriber")
        else:
            focus, author = [self.communication(sender, recipient)], None
        known = self.message.get("sender")  # None: a removed contact, person or place unknown
        person = isinstance(known, Mapping) and known.get("role") not in _ORGANIZATION_ROLES
        if author is None and person:
            author = sender  # MessageHeader.author is a person: Practitioner(Role) only
        header: JSON = {
            "resourceType": "MessageHeader",
            "eventCoding": {
                "system": KIND_SYSTEM,
                "code": self.kind,
                "display": _KIND_DISPLAY[self.kind],
            },
            "destination": [{**destination, "receiver": recipient}],
            "sender": sender,
        }
        if author is not None:
            header["author"] = author
        header["source"] = {**source, "software": "Relève"}
        header["focus"] = focus
        self.add("header", header)
        # MessageHeader first (bdl-12 / the message rules), then what it is about, then the rest.
        rank = {ref["reference"]: n for n, ref in enumerate(focus, start=1)}
        rank[self.ref("header")["reference"]] = 0
        self.entries.sort(key=lambda entry: rank.get(entry["fullUrl"], len(rank)))
        return {
            "resourceType": "Bundle",
            "id": resource_id(self.message_id, "bundle"),
            "identifier": {"system": MESSAGE_SYSTEM, "value": self.message_id},
            "type": "message",
            "timestamp": _format_instant(self.exported_at),
            "entry": self.entries,
        }

    def communication(self, sender: JSON, recipient: JSON) -> JSON:
        message = self.message
        resource: JSON = {"resourceType": "Communication"}
        extensions = self.extensions(reply=False)
        if extensions:
            resource["extension"] = extensions
        resource["identifier"] = [{"system": MESSAGE_SYSTEM, "value": self.message_id}]
        if self.reply_to is not None:
            resource["inResponseTo"] = [self.reply_reference()]
        status = _COMMUNICATION_STATUS.get(str(message.get("status")), "unknown")
        resource["status"] = status
        resource["category"] = [
            {
                "coding": [
                    {"system": KIND_SYSTEM, "code": self.kind, "display": _KIND_DISPLAY[self.kind]}
                ]
            }
        ]
        resource["priority"] = self.priority
        sent = _instant(message.get("sent_at"), "sent_at")
        if self.kind == "handoff":
            form = self.form()
            subject, _ = self.patient(form.get("patient"), sent, form.get("home"))
            resource["subject"] = subject
            resource["topic"] = {"text": _KIND_DISPLAY["handoff"]}
            about = self.allergies_and_treatments(subject)
            if about:
                resource["about"] = about
        if sent is not None:
            resource["sent"] = sent
        # For an outgoing message, the time the peer's delivery receipt says it arrived.
        received_key = "received_at" if message.get("direction") == "in" else "delivered_at"
        received = _instant(message.get(received_key), received_key)
        if received is not None:
            resource["received"] = received
        resource["recipient"] = [recipient]
        resource["sender"] = sender
        if self.kind == "text":
            resource["payload"] = [{"contentString": _text(message, "text", keep_spaces=True)}]
        elif self.kind == "cancellation":
            reason = _text(self.form(), "reason", field="cancellation.reason", keep_spaces=True)
            resource["payload"] = [
                {"contentString": f"Ordonnance annulée – ne pas délivrer. {reason}"}
            ]
        elif self.kind == "dispensing":
            form = self.form()
            words = _DISPENSING_WORDS.get(str(form.get("state")), "Délivrance")
            note = _optional(form, "note", keep_spaces=True)
            if form.get("confirmed_by_phone") is True:
                words += " (confirmée par téléphone avec le prescripteur)"
            text = words if note is None else f"{words}. {note}"
            resource["payload"] = [{"contentString": text}]
        elif self.kind == "handoff":
            resource["payload"] = self.handoff_payload()
        elif self.kind == "read_back":
            text = _text(self.form(), "text", field="read_back.text", keep_spaces=True)
            resource["payload"] = [{"contentString": f"Reformulation : {text}"}]
        else:
            resource["payload"] = self.attachment_payload()
            if self.form().get("corrupt"):
                resource["status"] = "stopped"  # the received file failed its SHA-256 check
            elif message.get("direction") == "in" and not self.form().get("complete", False):
                resource["status"] = "in-progress"  # chunks still arriving or hash unchecked
        return self.add("communication", resource)

    def allergies_and_treatments(self, subject: JSON) -> list[JSON]:
        """A version 2 handoff's lists as resources a record can take in: one
        AllergyIntolerance per allergy (clinicalStatus active: ait-1), one MedicationStatement
        per current treatment (status active). "None known" (an empty list) and "not stated"
        (absent) stay in the text payload only."""
        form = self.form()
        found: list[JSON] = []
        for n, item in enumerate(_items(form, "allergies"), start=1):
            allergy: JSON = {
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": {"coding": [{"system": _ALLERGY_CLINICAL, "code": "active"}]},
                "code": {"text": item},
                "patient": subject,
            }
            found.append(self.add(f"allergy-{n}", allergy))
        for n, item in enumerate(_items(form, "treatments"), start=1):
            treatment: JSON = {
                "resourceType": "MedicationStatement",
                "status": "active",
                "medicationCodeableConcept": {"text": item},
                "subject": subject,
            }
            found.append(self.add(f"treatment-{n}", treatment))
        return found

    def handoff_payload(self) -> list[JSON]:
        form = self.form()
        payload = []
        for field, heading in _SAED:
            section = {"system": SAED_SYSTEM, "code": field, "display": heading}
            text = _text(form, field, field=f"handoff.{field}", keep_spaces=True)
            payload.append(
                {
                    "extension": [{"url": EXT_SAED_SECTION, "valueCoding": section}],
                    "contentString": f"{heading} : {text}",
                }
            )
        for field, heading in _HANDOFF_V2:
            said = _handoff_field(form, field)
            if said is None:
                continue
            section = {"system": SAED_SYSTEM, "code": field, "display": heading}
            payload.append(
                {
                    "extension": [{"url": EXT_SAED_SECTION, "valueCoding": section}],
                    "contentString": f"{heading} : {_fhir_string(said)}",
                }
            )
        return payload

    def attachment_payload(self) -> list[JSON]:
        form = self.form()
        size = form.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError("attachment.size is not a whole number of bytes")
        try:
            digest = bytes.fromhex(_text(form, "sha256", field="attachment.sha256"))
        except ValueError:
            raise ValueError("attachment.sha256 is not hexadecimal") from None
        if len(digest) != 32:
            raise ValueError("attachment.sha256 is not 32 bytes")
        sha256 = base64.b64encode(digest).decode("ascii")
        attachment: JSON = {
            "extension": [{"url": EXT_SHA256, "valueBase64Binary": sha256}],
            "contentType": _text(form, "media_type", field="attachment.media_type"),
            "size": size,
            "title": _text(form, "file_name", field="attachment.file_name"),
        }
        payload: list[JSON] = [{"contentAttachment": attachment}]
        caption = _optional(form, "caption")
        if caption is not None:
            payload.append({"contentString": caption})
        return payload

    def prescription(self) -> list[JSON]:
        form = self.form()
        authored = _date(form, "date", "prescription.date")
        subject, weight = self.patient(form.get("patient"), authored)
        self.prescriber(form.get("prescriber"))
        lines = form.get("lines")
        if not isinstance(lines, list) or not lines:
            raise ValueError("prescription.lines is empty")
        notes = _optional(form, "notes")
        replaces = form.get("replaces")
        # R.5132-22: first dispensing within three months of the date (the node's valid_until;
        # the same rule computed for a prescription whose JSON predates it).
        until = form.get("valid_until")
        last = (
            _date(form, "valid_until", "prescription.valid_until")
            if until is not None
            else valid_until(date.fromisoformat(authored)).isoformat()
        )
        validity = {"start": authored, "end": last}
        focus = []
        for number, line in enumerate(lines, start=1):
            if not isinstance(line, Mapping):
                raise ValueError(f"prescription.lines.{number - 1} is not an object")
            prior = replaces if isinstance(replaces, str) else None
            focus.append(self.line(number, line, subject, weight, authored, notes, validity, prior))
        return focus

    def order_status(self) -> str:
        """From the lifecycle: cancelled; replaced -> stopped; dispensed -> completed; past
        its validity with nothing dispensed -> stopped; otherwise active."""
        lifecycle = self.message.get("lifecycle")
        if not isinstance(lifecycle, Mapping):
            return "active"
        status = _LIFECYCLE_STATUS.get(str(lifecycle.get("state")), "active")
        reports = lifecycle.get("dispensing")
        if (
            status == "active"
            and isinstance(reports, list)
            and any(isinstance(r, Mapping) and r.get("state") == "dispensed" for r in reports)
        ):
            return "completed"
        if status == "active" and lifecycle.get("expired") is True:
            return "stopped"
        return status

    def prescriber(self, prescriber: Any) -> None:
        if not isinstance(prescriber, Mapping):
            raise ValueError("prescription.prescriber is missing")
        rpps = _text(prescriber, "rpps", field="prescription.prescriber.rpps")
        resource: JSON = {
            "resourceType": "Practitioner",
            "identifier": [
                {
                    "use": "official",
                    "type": _identifier_type("IDNPS"),
                    "system": IDNPS_SYSTEM,
                    "value": "8" + rpps,
                },
                {
                    "use": "official",
                    "type": _identifier_type("RPPS"),
                    "system": RPPS_SYSTEM,
                    "value": rpps,
                },
            ],
            "name": [{"text": _text(prescriber, "name", field="prescription.prescriber.name")}],
        }
        telecom = []
        phone = _optional(prescriber, "phone")
        if phone is not None:
            telecom.append({"system": "phone", "value": phone, "use": "work"})
        email = _optional(prescriber, "email")
        if email is not None:
            telecom.append({"system": "email", "value": email, "use": "work"})
        if telecom:
            resource["telecom"] = telecom
        address = _optional(prescriber, "address")
        if address is not None:
            resource["address"] = [{"use": "work", "text": address}]
        specialty = _optional(prescriber, "specialty")
        if specialty is not None:
            resource["qualification"] = [{"code": {"text": specialty}}]
        self.add("prescriber", resource)

    def line(
        self,
        number: int,
        line: Mapping[str, Any],
        subject: JSON,
        weight: JSON | None,
        authored: str,
        notes: str | None,
        validity: JSON,
        replaces: str | None = None,
    ) -> JSON:
        field = f"prescription.lines.{number - 1}"
        medicine = _text(line, "medicine", field=f"{field}.medicine")
        strength = _optional(line, "strength")
        if strength is not None:
            medicine = f"{medicine} {strength}"
        inn = _optional(line, "inn")
        if inn is not None and inn.casefold() not in medicine.casefold():
            medicine = f"{medicine} ({inn})"  # the INN beside the brand name (L.5121-1-2)
        renewals = line.get("renewals", 0)
        if isinstance(renewals, bool) or not isinstance(renewals, int) or renewals < 0:
            raise ValueError(f"{field}.renewals is not a whole number")
        dispense: JSON = {"validityPeriod": validity, "numberOfRepeatsAllowed": renewals}
        words: list[str] = []
        quantity = _optional(line, "quantity")
        if quantity is not None:
            parsed = _quantity(quantity)
            if parsed is None:
                words.append(f"Quantité : {quantity}")
            else:
                dispense["quantity"] = parsed
        duration = _optional(line, "duration")
        if duration is not None:
            parsed = _duration(duration)
            if parsed is None:
                words.append(f"Durée : {duration}")
            else:
                dispense["expectedSupplyDuration"] = parsed
        if notes is not None:
            words.append(notes)
        resource: JSON = {"resourceType": "MedicationRequest"}
        extensions = self.extensions(reply=True)
        if extensions:
            resource["extension"] = extensions
        resource.update(
            {
                "identifier": [{"system": LINE_SYSTEM, "value": f"{self.message_id}-{number}"}],
                "status": self.order_status(),
                "intent": "order",
                "priority": self.priority,
                "medicationCodeableConcept": {"text": medicine},
                "subject": subject,
                "authoredOn": authored,
                "requester": self.ref("prescriber"),
                "groupIdentifier": {"system": MESSAGE_SYSTEM, "value": self.message_id},
            }
        )
        if weight is not None:
            resource["supportingInformation"] = [weight]
        if words:
            resource["note"] = [{"text": text} for text in words]
        dosage = _text(line, "dosage", field=f"{field}.dosage")
        resource["dosageInstruction"] = [{"sequence": 1, "text": dosage}]
        resource["dispenseRequest"] = dispense
        reason = line.get("non_substitutable")
        if reason in _NON_SUBSTITUTION:
            resource["substitution"] = {
                "allowedBoolean": False,
                "reason": {
                    "coding": [{"system": NON_SUBSTITUTION_SYSTEM, "code": reason}],
                    "text": _NON_SUBSTITUTION[reason],
                },
            }
        if replaces is not None:
            # An amendment: the line of the same number in the prescription it replaces (a
            # logical reference: that one is in another Bundle).
            resource["priorPrescription"] = {
                "type": "MedicationRequest",
                "identifier": {"system": LINE_SYSTEM, "value": f"{replaces}-{number}"},
            }
        return self.add(f"line-{number}", resource)


# --- values ---------------------------------------------------------------------------------


def _text(
    source: Mapping[str, Any], key: str, field: str = "", *, keep_spaces: bool = False
) -> str:
    value = _optional(source, key, keep_spaces=keep_spaces)
    if value is None:
        raise ValueError(f"{field or key} is missing or empty")
    return value


def _identifier_type(code: str) -> JSON:
    """An identifier's type from FR Core's code system fr-core-cs-v2-0203 (INS-NIR, IDNPS...)."""
    return {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": code}]}


def _handoff_field(form: Mapping[str, Any], field: str) -> str | None:
    """A version 2 handoff field as a sentence; None when absent (a version 1 handoff, or
    not stated). An empty list says "none known"."""
    value = form.get(field)
    if value is None:
        return None
    if field in ("allergies", "treatments"):
        if not isinstance(value, list):
            raise ValueError(f"handoff.{field} is not a list")
        items = [str(item) for item in value]
        return "; ".join(items) if items else "aucune connue"
    if field == "severity":
        return _SEVERITY_WORDS.get(str(value), str(value))
    if field == "home":
        if not isinstance(value, Mapping):
            raise ValueError("handoff.home is not an object")
        parts = [str(value[key]) for key in ("address", "phone") if value.get(key)]
        kin = value.get("next_of_kin")
        if isinstance(kin, Mapping):
            relation = f" ({kin.get('relationship')})" if kin.get("relationship") else ""
            parts.append(f"proche : {kin.get('name')}{relation}, {kin.get('phone')}")
        return " – ".join(_fhir_string(part).replace("\n", ", ") for part in parts) or None
    return str(value)


def _items(form: Mapping[str, Any], field: str) -> list[str]:
    """A handoff's list (allergies, treatments) as FHIR strings; [] when absent or empty."""
    value = form.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"handoff.{field} is not a list")
    items = (_fhir_string(str(item)).strip() for item in value)
    return [item for item in items if item]


def _home_into(resource: JSON, home: Any) -> None:
    """A handoff's home into the Patient: address (home), phone (home), next of kin as a
    contact with its relationship in words."""
    if not isinstance(home, Mapping):
        raise ValueError("handoff.home is not an object")
    phone = _optional(home, "phone")
    if phone is not None:
        resource["telecom"] = [{"system": "phone", "value": phone, "use": "home"}]
    address = _optional(home, "address")
    if address is not None:
        resource["address"] = [{"use": "home", "text": address}]
    kin = home.get("next_of_kin")
    if isinstance(kin, Mapping):
        contact: JSON = {}
        relationship = _optional(kin, "relationship")
        if relationship is not None:
            contact["relationship"] = [{"text": relationship}]
        name = _optional(kin, "name")
        if name is not None:
            contact["name"] = {"text": name}
        kin_phone = _optional(kin, "phone")
        if kin_phone is not None:
            contact["telecom"] = [{"system": "phone", "value": kin_phone}]
        if contact:
            resource["contact"] = [contact]


def _fhir_string(value: str) -> str:
    """Text as a valid FHIR string: control characters dropped, white space made plain."""
    value = _CONTROL.sub("", value)
    value = _LINE_BREAKS.sub("\n", value)
    return _SPACES.sub(" ", value).replace("\ufeff", "\u2060")


def _optional(source: Mapping[str, Any], key: str, *, keep_spaces: bool = False) -> str | None:
    """A text field made a valid FHIR string, or None when absent or blank.

    FHIR strings SHALL NOT hold control characters other than tab, CR and LF (R4 datatypes,
    "string"); the forms do not forbid them and they show as nothing, so they are dropped;
    other white space is made plain (module docstring).
    """
    value = source.get(key)
    if not isinstance(value, str):
        return None
    value = _fhir_string(value)
    if not value.strip():
        return None
    return value if keep_spaces else value.strip()


def _date(source: Mapping[str, Any], key: str, field: str) -> str:
    value = _text(source, key, field=field)
    try:
        return date.fromisoformat(value).isoformat()  # FHIR date: YYYY-MM-DD here
    except ValueError:
        raise ValueError(f"{field} is not an ISO date") from None


def _hex_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or re.fullmatch(r"[0-9a-f]{32}", value) is None:
        raise ValueError(f"{field} is not 32 lower-case hexadecimal digits")
    return value


def _instant(value: Any, field: str) -> str | None:
    """An API timestamp (ISO 8601, "Z" or an offset) as a FHIR dateTime/instant, in UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{field} is not an ISO timestamp")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} is not an ISO timestamp") from None
    if moment.tzinfo is None:
        raise ValueError(f"{field} has no time zone")
    return _format_instant(moment)


def _format_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(text: str) -> int | float:
    return float(text.replace(",", ".")) if "," in text or "." in text else int(text)


def _quantity(text: str) -> JSON | None:
    """ "2 boîtes" -> SimpleQuantity; None when it does not start with a number."""
    match = _NUMBER_UNIT.fullmatch(text)
    if match is None:
        return None
    quantity: JSON = {"value": _number(match[1])}
    if match[2]:
        quantity["unit"] = match[2]
    return quantity


def _duration(text: str) -> JSON | None:
    """ "7 jours" -> Duration in UCUM; None when it is not a number and a known time unit."""
    match = _NUMBER_UNIT.fullmatch(text)
    if match is None or match[2].lower() not in _DURATION_UNITS:
        return None
    code = _DURATION_UNITS[match[2].lower()]
    return {"value": _number(match[1]), "unit": match[2], "system": UCUM, "code": code}
