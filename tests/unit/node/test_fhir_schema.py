"""The second FHIR validator (fhir_schema.py): HL7's R4 JSON schema, vendored and applied by
``jsonschema``. The vendored file is the one its README names; every kind of export passes it on
its own (without fhirclient); and each kind of fault it is there to catch is caught."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft6Validator  # type: ignore[import-untyped]

from node.edges.fhir import message_bundle

from .fhir_schema import SCHEMA_PATH, SCHEMA_SHA256, resource_types, schema, schema_problems
from .test_fhir import ANSWERED_ID, EXPORTED_AT, message

JSON = dict[str, Any]


def test_the_vendored_schema_is_the_one_its_readme_names() -> None:
    raw = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256
    readme = (SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert SCHEMA_SHA256 in readme
    assert f"{len(raw):,}" in readme
    assert schema()["id"] == "http://hl7.org/fhir/json-schema/4.0"
    Draft6Validator.check_schema(schema())  # a well-formed draft-06 schema
    assert {"Bundle", "MessageHeader", "Communication", "MedicationRequest"} <= resource_types()
    assert len(resource_types()) == 146  # R4's resource types


def _forms() -> list[JSON]:
    forms = [message(kind) for kind in ("text", "handoff", "prescription", "attachment")]
    cancellation = message("cancellation", reply_to=ANSWERED_ID)
    cancellation["cancellation"] = {"date": "2026-11-29", "reason": "Erreur de posologie"}
    dispensing = message("dispensing", reply_to=ANSWERED_ID)
    dispensing["dispensing"] = {"state": "partly_dispensed", "note": "1 boîte sur 2"}
    read_back = message("read_back", reply_to=ANSWERED_ID)
    read_back["read_back"] = {"text": "Radio du bassin en urgence, je rappelle à 14 h."}
    nia = message("prescription")
    nia["prescription"]["patient"] = {
        **nia["prescription"]["patient"],
        "ins": "719057512345672",
        "ins_status": "qualified",
    }
    return [*forms, cancellation, dispensing, read_back, nia]


@pytest.mark.parametrize("form", _forms(), ids=lambda form: str(form["kind"]))
def test_every_kind_of_export_passes_the_schema_alone(form: JSON) -> None:
    assert schema_problems(message_bundle(form, EXPORTED_AT)) == []


def _entry(kind: str) -> Callable[[JSON], JSON]:
    def find(bundle: JSON) -> JSON:
        for entry in bundle["entry"]:
            if entry["resource"]["resourceType"] == kind:
                resource: JSON = entry["resource"]
                return resource
        raise AssertionError(kind)

    return find


def _set(path: Callable[[JSON], JSON], key: str, value: Any) -> Callable[[JSON], None]:
    def change(bundle: JSON) -> None:
        path(bundle)[key] = value

    return change


def _drop(path: Callable[[JSON], JSON], key: str) -> Callable[[JSON], None]:
    def change(bundle: JSON) -> None:
        del path(bundle)[key]

    return change


def _bundle(bundle: JSON) -> JSON:
    return bundle


_header = _entry("MessageHeader")
_request = _entry("MedicationRequest")
_patient = _entry("Patient")
_practitioner = _entry("Practitioner")


def _dispense(bundle: JSON) -> JSON:
    dispense: JSON = _request(bundle)["dispenseRequest"]
    return dispense


def _unknown_type(bundle: JSON) -> None:
    bundle["entry"][1]["resource"] = {"resourceType": "Ordonnance", "id": "x"}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_set(_request, "posologie", "3 fois par jour"), "'posologie' was unexpected"),
        (_set(_bundle, "type", "lettre"), "'lettre' is not one of"),
        (_set(_patient, "gender", "F"), "'F' is not one of"),
        (_set(_patient, "birthDate", "14/03/2019"), "does not match"),
        (_set(_dispense, "numberOfRepeatsAllowed", "2"), "'2' is not of type 'number'"),
        (_set(_request, "authoredOn", "2026-11-29 10:00"), "does not match"),
        (_set(_practitioner, "id", "a b"), "does not match"),
        (_set(_header, "eventCoding", {"system": "urn:x y", "code": "a"}), "does not match"),
        (_drop(_header, "source"), "'source' is a required property"),
        (_set(_bundle, "timestamp", "2026-11-30T09:15:00"), "does not match"),
        (_unknown_type, "'Ordonnance' is not one of"),
    ],
)
def test_the_schema_catches_each_fault(change: Callable[[JSON], None], said: str) -> None:
    bundle = copy.deepcopy(message_bundle(message("prescription"), EXPORTED_AT))
    change(bundle)
    found = schema_problems(bundle)
    assert found, "the schema accepted a broken Bundle"
    assert any(said in problem for problem in found), found


def test_patterns_are_ecma_262_not_pythons() -> None:
    """U+0085 is whitespace to Python's re, not to ECMA-262, whose patterns JSON Schema uses:
    a FHIR string holding it is valid (Hypothesis found the difference)."""
    bundle = message_bundle(message("text", text="fin de ligne\x85suite"), EXPORTED_AT)
    assert schema_problems(bundle) == []
    bundle["entry"][1]["resource"]["payload"][0]["contentString"] = "   "
    assert schema_problems(bundle) == []  # [ \r\n\t\S]+: blanks match; test_fhir checks them
    bundle["entry"][1]["resource"]["payload"][0]["contentString"] = ""
    assert any("does not match" in problem for problem in schema_problems(bundle))
