"""On a clinic server only a clinician whose personal mailbox a prescription can leave from is
offered the prescription form (issue #15): a secretary's conversation has no link to it, and
its routes (the form, a posted one, an amendment) answer 403, nothing sent."""

from __future__ import annotations

from node.core.ports import MessageQuery
from tests.unit.node.node_support import wait_until
from tests.unit.node.test_mailbox_web import Clinic, clinic  # noqa: F401 (the fixture)


async def test_a_secretary_is_offered_no_prescription_form(clinic: Clinic) -> None:  # noqa: F811
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
    conversation = f"/c/{pharmacy.node_id.hex()}"

    doctor = await clinic.browser("Claire Martin")
    status, page, _ = await doctor.get(conversation)
    assert status == 200
    assert 'id="compose-prescription"' in page
    status, _, _ = await doctor.get(f"{conversation}/prescription")
    assert status == 200

    alice = await clinic.browser("Alice")
    status, page, _ = await alice.get(conversation)
    assert status == 200
    assert 'id="compose-prescription"' not in page
    assert 'id="compose-handoff"' in page  # the other forms stay hers
    status, _, _ = await alice.get(f"{conversation}/prescription")
    assert status == 403
    csrf = await alice.csrf(conversation)
    for action in ("review", "send"):
        status, _, _ = await alice.post(
            f"{conversation}/prescription",
            {"csrf": csrf, "action": action, "patient.birth_name": "FAUX"},
        )
        assert status == 403
    status, _, _ = await alice.get(f"/m/{'00' * 16}/amend")
    assert status == 403
    assert await node.core.reading.shown(MessageQuery(direction="out")) == []
