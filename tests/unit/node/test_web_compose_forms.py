"""The web client's compose forms as the local API's JSON, and every refused field found by
the node's own rules (node/edges/web/screens/compose_forms.py)."""

from __future__ import annotations

import datetime

from node.edges.web.screens.compose_forms import (
    field_errors,
    form_field,
    handoff_document,
    handoff_fields,
    prescription_document,
    prescription_fields,
)
from node.protocol.conversation import content_from_json
from node.protocol.prescription import Prescriber

TODAY = datetime.date(2026, 12, 4)
PRESCRIBER = Prescriber(
    name="Dr Camille Martin",
    specialty="Médecine générale",
    rpps="10001234565",
    address="3 rue du Port",
    phone="02 98 00 00 00",
    email="c.martin@cabinet.example.fr",
)
PATIENT = {
    "patient.birth_name": "Durand",
    "patient.first_names": "Marie",
    "patient.birth_date": "1950-03-02",
    "patient.sex": "F",
}


def handoff(document: dict[str, object]) -> object:
    return content_from_json("handoff", document, TODAY, callback="02 98 00 00 00")


def prescription(document: dict[str, object]) -> object:
    return content_from_json("prescription", document, TODAY, PRESCRIBER)


def test_a_complete_handoff_form_is_accepted_and_comes_back_as_typed() -> None:
    form = {
        **PATIENT,
        "situation": "Chute",
        "background": "HTA",
        "assessment": "Stable",
        "request": "Passage infirmier",
        "severity": "watcher",
        "allergies": "Pénicilline\r\nIode",
        "treatments.none": "1",
        "deadline": "2026-12-05T14:30",
        "home.next_of_kin.name": "Paul Durand",
        "home.next_of_kin.phone": "06 00 00 00 00",
        "patient.weight_kg": "61,5",
    }
    document = handoff_document(form)
    assert document["allergies"] == ["Pénicilline", "Iode"]
    assert document["treatments"] == []
    assert document["deadline"] == "2026-12-05T14:30:00+01:00"
    assert document["home"] == {
        "address": None,
        "phone": None,
        "next_of_kin": {"name": "Paul Durand", "relationship": None, "phone": "06 00 00 00 00"},
    }
    assert field_errors(handoff, document, TODAY) == {}
    back = handoff_fields(handoff(document).to_json())  # type: ignore[attr-defined]
    assert back["deadline"] == "2026-12-05T14:30"
    assert back["treatments.none"] == "1"
    assert back["patient.weight_kg"] == "61.5"
    assert back["callback"] == "02 98 00 00 00"


def test_a_handoffs_ins_goes_with_its_identity_status() -> None:
    """As on a prescription (issue #16, docs/protocol.md §18.4): the status is in the
    handoff's document, an INS requires a qualified identity, and it comes back to the form."""
    form = {
        **PATIENT,
        "patient.ins": "2 50 03 75 123 456 57",  # born March 1950, a woman
        "situation": "Chute",
        "background": "HTA",
        "assessment": "Stable",
        "request": "Passage infirmier",
        "severity": "stable",
    }
    document = handoff_document(form)
    assert document["patient"]["ins_status"] is None
    assert field_errors(handoff, document, TODAY) == {"patient.ins_status": "ins_not_qualified"}
    document = handoff_document({**form, "patient.ins_status": "qualified"})
    assert field_errors(handoff, document, TODAY) == {}
    back = handoff_fields(handoff(document).to_json())  # type: ignore[attr-defined]
    assert back["patient.ins_status"] == "qualified"


def test_every_refused_field_is_named_not_only_the_first() -> None:
    form = {
        **PATIENT,
        "patient.birth_name": "",
        "patient.weight_kg": "lourd",
        "situation": "x",
        "background": "x",
        "assessment": "",
        "request": "x",
        "callback": "12",
        "severity": "",
        "home.next_of_kin.name": "Paul",
    }
    errors = field_errors(handoff, handoff_document(form), TODAY)
    assert errors == {
        "patient.birth_name": "required",
        "patient.weight_kg": "invalid_weight",
        "assessment": "required",
        "callback": "invalid_phone",
        "severity": "required",
        "home.next_of_kin.phone": "required",
    }


def test_prescription_lines_and_the_nodes_own_rules() -> None:
    form = {
        **PATIENT,
        "date": TODAY.isoformat(),
        "line_count": "3",
        "lines.0.medicine": "Morphine",
        "lines.0.inn": "morphine",
        "lines.0.strength": "10 mg",
        "lines.0.dosage": "1 matin et soir",
        "lines.0.duration": "7 jours",
        "lines.1.medicine": "Amoxicilline",
        "lines.1.strength": "1 g",
        "lines.1.dosage": "1 x 3 / j",
        "lines.1.duration": "6 mois",
        "lines.1.renewals": "3",
    }  # line 3 left empty: dropped
    document = prescription_document(form)
    assert len(document["lines"]) == 2
    assert document["lines"][1]["renewals"] == 3
    errors = field_errors(prescription, document, TODAY)
    assert errors == {
        "lines.0.medicine": "narcotic",
        "lines.1.inn": "required",
        "lines.1.renewals": "treatment_too_long",
    }
    fields = prescription_fields(document)
    assert fields["line_count"] == "2"
    assert fields["lines.1.renewals"] == "3"


def test_form_field_of_node_paths() -> None:
    assert form_field("lines.2.inn") == "lines.2.inn"
    assert form_field("allergies.3") == "allergies"
    assert form_field("home.next_of_kin.phone") == "home.next_of_kin.phone"
