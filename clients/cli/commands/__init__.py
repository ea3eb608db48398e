"""Every command of `releve`, in the order of the help.

One module per concept; each declares its commands (:class:`clients.cli.command.Command`) next
to their handlers. A new command goes in the module of its concept (or a new one) and in
:data:`TABLE`. Modules stay light to import: whatever is slow to load (the daemon, the relay,
aiohttp, image and QR libraries, even urllib.request) is loaded by the code that uses it, so that
`releve status` and `releve --help` start fast.
"""

from __future__ import annotations

from typing import Final

from ..command import Entry, Group
from . import (
    audit,
    backup,
    check,
    contacts,
    demo,
    inbox,
    local_node,
    mailbox,
    pairing,
    phone_pairing,
    prescription,
    records,
    relay_server,
    save,
    send,
    service,
    show,
    status,
    tls,
    trust,
    user,
    verify_print,
    web,
)

TABLE: Final[tuple[Entry, ...]] = (
    local_node.INIT,
    local_node.NODE,
    trust.VERIFY,
    trust.UNPAIR,
    trust.REVOKE,
    relay_server.RELAY,
    status.STATUS,
    web.OPEN,
    web.OUVRIR,
    Group(
        "pair",
        "help.pair",
        (
            pairing.PAIR_INVITE,
            pairing.PAIR_ACCEPT,
            phone_pairing.PAIR_CALL,
            phone_pairing.PAIR_JOIN,
        ),
    ),
    contacts.CONTACTS,
    send.SEND,
    show.SHOW,
    show.ACK,
    Group(
        "prescription",
        "help.prescription_group",
        (prescription.CANCEL, prescription.AMEND, prescription.DISPENSE),
    ),
    save.SAVE,
    records.PRINT,
    verify_print.VERIFY_PRINT,
    records.EXPORT,
    Group("audit", "help.audit", (audit.AUDIT_VERIFY, audit.AUDIT_EXPORT)),
    backup.BACKUP,
    backup.SAUVEGARDER,
    backup.RESTORE,
    backup.RESTAURER,
    check.CHECK,
    check.VERIFIER,
    inbox.INBOX,
    inbox.READ,
    demo.DEMO,
    Group("service", "help.service", (service.INSTALL, service.UNINSTALL, service.STATUS)),
    Group("tls", "help.tls", (tls.CA, tls.AC)),
    Group("mailbox", "help.mailbox", mailbox.ENGLISH),
    Group("boite", "help.boite", mailbox.FRENCH),
    Group("user", "help.user", user.ENGLISH),
    Group("utilisateur", "help.utilisateur", user.FRENCH),
)
