"""The core's parts, built once and wired by their constructors (no callback set afterwards):
node.app puts a repository and a transport under them and the edges around them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from node.core.attachments import Attachments
from node.core.context import NodeContext
from node.core.escalation import Escalation
from node.core.mailboxes import MailboxBook, People
from node.core.outbox import Outbox
from node.core.pairing import Pairing
from node.core.ports import Transport
from node.core.prescriptions import Prescriptions
from node.core.printed import PrintedCopies
from node.core.read_backs import ReadBacks
from node.core.readiness import Readiness
from node.core.reading import Reading
from node.core.receipts import Receipts
from node.core.receiving import Receiver
from node.core.refusals import Refusals
from node.core.renewal import Renewal
from node.core.sending import Sending
from node.core.trust import Trust
from node.protocol import Identity


@dataclass(frozen=True)
class NodeCore:
    ctx: NodeContext
    receipts: Receipts
    pairing: Pairing
    attachments: Attachments
    receiver: Receiver
    sending: Sending
    prescriptions: Prescriptions
    printed: PrintedCopies
    read_backs: ReadBacks
    reading: Reading
    trust: Trust
    outbox: Outbox
    escalation: Escalation
    refusals: Refusals
    readiness: Readiness
    renewal: Renewal
    mailboxes: MailboxBook

    @classmethod
    def build(
        cls,
        ctx: NodeContext,
        transport: Transport,
        persist_identity: Callable[[Identity], None],
        people: People | None = None,
    ) -> NodeCore:
        """``people``: the accounts of a clinic server (node.core.accounts), for mailboxes."""
        receipts = Receipts(ctx)
        pairing = Pairing(ctx, receipts)
        attachments = Attachments(ctx)
        mailboxes = MailboxBook(ctx, transport, people)
        sending = Sending(ctx, mailboxes)
        prescriptions = Prescriptions(ctx, sending)
        reading = Reading(ctx, receipts, mailboxes)
        readiness = Readiness(ctx, transport)
        renewal = Renewal(ctx, receipts)
        refusals = Refusals(ctx)
        return cls(
            ctx=ctx,
            receipts=receipts,
            pairing=pairing,
            attachments=attachments,
            receiver=Receiver(
                ctx,
                pairing,
                receipts,
                attachments,
                prescriptions,
                readiness,
                renewal,
                refusals,
                mailboxes,
            ),
            sending=sending,
            prescriptions=prescriptions,
            printed=PrintedCopies(ctx, prescriptions),
            read_backs=ReadBacks(ctx, sending),
            reading=reading,
            trust=Trust(ctx, persist_identity),
            outbox=Outbox(ctx, transport, pairing),
            escalation=Escalation(ctx, reading, sending),
            refusals=refusals,
            readiness=readiness,
            renewal=renewal,
            mailboxes=mailboxes,
        )
