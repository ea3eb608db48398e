"""Messages: the inbox, reading, sending, acknowledging, urgent reminders, transfers."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "message.verified": {
        "fr": "Correspondant vérifié (numéro de sécurité comparé).",
        "en": "Verified correspondent (safety number compared).",
    },
    "message.unverified": {
        "fr": "Correspondant non vérifié : comparez le numéro de sécurité (releve verify).",
        "en": "Unverified correspondent: compare the safety number (releve verify).",
    },
    "message.unverified_mark": {
        "fr": "[non vérifié]",
        "en": "[unverified]",
    },
    "send.queued": {
        "fr": "Message pour {name} mis en file d'envoi (identifiant {message_id}). "
        "Suivi : `releve status`.",
        "en": "Message to {name} queued (id {message_id}). Follow-up: `releve status`.",
    },
    "inbox.empty": {"fr": "Aucun nouveau message.", "en": "No new messages."},
    "inbox.count": {
        "fr": "Messages non lus : {count}",
        "en": "Unread messages: {count}",
    },
    "inbox.hint": {
        "fr": "Pour lire un message et envoyer l'accusé de lecture : releve read ID_MESSAGE",
        "en": "To read a message and send the read receipt: releve read MESSAGE_ID",
    },
    "message.summary_in": {
        "fr": "{when} de {name} [{message_id}]",
        "en": "{when} from {name} [{message_id}]",
    },
    "message.summary_out": {
        "fr": "{when} à {name} [{message_id}] : {status}",
        "en": "{when} to {name} [{message_id}]: {status}",
    },
    "message.from": {"fr": "De : {name}", "en": "From: {name}"},
    "message.to": {"fr": "À : {name}", "en": "To: {name}"},
    "message.sent_at": {"fr": "Envoyé le : {when}", "en": "Sent: {when}"},
    "message.received_at": {"fr": "Reçu le : {when}", "en": "Received: {when}"},
    "message.status": {"fr": "Statut : {status}", "en": "Status: {status}"},
    "message.delivered_at": {"fr": "Remis le : {when}", "en": "Delivered: {when}"},
    "message.read_at": {"fr": "Lu le : {when}", "en": "Read: {when}"},
    "message.id": {"fr": "Identifiant : {message_id}", "en": "Id: {message_id}"},
    "message.kind": {"fr": "[message de type {kind}]", "en": "[message of kind {kind}]"},
    "read.receipt_sent": {
        "fr": "(Marqué comme lu : l'accusé de lecture est envoyé à l'expéditeur.)",
        "en": "(Marked read: the read receipt goes to the sender.)",
    },
    "send.file_queued": {
        "fr": "Fichier {file} ({size}) confié au nœud pour {name} ; identifiant {message_id}",
        "en": "File {file} ({size}) handed to the node for {name}; id {message_id}",
    },
    "send.urgent_note": {
        "fr": "Message urgent : {name} devra en accuser la prise en compte ; `releve status` "
        "montre s'il l'a fait.",
        "en": "Urgent message: {name} must acknowledge it; `releve status` shows whether they did.",
    },
    "progress.wait_hint": {
        "fr": "Transfert en cours (Ctrl-C arrête l'affichage ; le transfert continue dans le "
        "nœud).",
        "en": "Transfer in progress (Ctrl-C stops watching; the transfer continues in the node).",
    },
    "progress.parts": {"fr": "{done}/{total} parties", "en": "{done}/{total} parts"},
    "progress.delivered": {
        "fr": "Fichier remis à {name} en entier.",
        "en": "File delivered to {name} in full.",
    },
    "progress.interrupted": {
        "fr": "Affichage arrêté ; le transfert continue dans le nœud. Suivez-le avec "
        "`releve show {message_id}`.",
        "en": "Stopped watching; the transfer continues in the node. Follow it with "
        "`releve show {message_id}`.",
    },
    "progress.download_interrupted": {
        "fr": "Enregistrement interrompu : rien n'a été écrit.",
        "en": "Saving interrupted: nothing was written.",
    },
    "ack.read_back_sent": {
        "fr": "Votre reformulation part avec : l'expéditeur la verra sous sa transmission.",
        "en": "Your read-back goes with it: the sender will see it under their handoff.",
    },
    "ack.done": {
        "fr": "Prise en compte accusée : {name} en est prévenu.",
        "en": "Acknowledged: {name} is being told.",
    },
    "save.done": {
        "fr": "Fichier enregistré : {path}",
        "en": "File saved: {path}",
    },
    "save.renamed": {
        "fr": "(nom d'origine « {original} » rendu sûr pour le disque)",
        "en": '(original name "{original}" made safe for the disk)',
    },
    "urgent.incoming": {
        "fr": "Message URGENT de {name} ({when}) à prendre en compte : releve ack {message_id}",
        "en": "URGENT message from {name} ({when}) to acknowledge: releve ack {message_id}",
    },
    "urgent.awaiting": {
        "fr": "Urgent envoyé à {name} ({when}) : pas encore pris en compte [{message_id}]",
        "en": "Urgent sent to {name} ({when}): not acknowledged yet [{message_id}]",
    },
    "urgent.overdue": {
        "fr": "URGENT NON PRIS EN COMPTE depuis plus de {minutes} min : {name}, message du "
        "{when} [{message_id}]",
        "en": "URGENT NOT ACKNOWLEDGED for more than {minutes} min: {name}, message of {when} "
        "[{message_id}]",
    },
    "urgent.overdue_waited": {
        "fr": "URGENT NON PRIS EN COMPTE depuis {waited} min : {name}, message du {when} "
        "[{message_id}]",
        "en": "URGENT NOT ACKNOWLEDGED for {waited} min: {name}, message of {when} [{message_id}]",
    },
    "urgent.incoming_waited": {
        "fr": "Message URGENT de {name} reçu il y a {waited} min ({when}), à prendre en "
        "compte : releve ack {message_id}",
        "en": "URGENT message from {name} received {waited} min ago ({when}), to "
        "acknowledge: releve ack {message_id}",
    },
    "urgent.incoming_overdue_waited": {
        "fr": "URGENT REÇU de {name} il y a {waited} min ({when}), TOUJOURS NON PRIS EN "
        "COMPTE : releve ack {message_id}",
        "en": "URGENT from {name} received {waited} min ago ({when}), STILL NOT "
        "ACKNOWLEDGED: releve ack {message_id}",
    },
    "urgent.incoming_overdue": {
        "fr": "URGENT REÇU de {name} ({when}) NON PRIS EN COMPTE depuis plus de {minutes} "
        "min : releve ack {message_id}",
        "en": "URGENT from {name} ({when}) NOT ACKNOWLEDGED for more than {minutes} min: "
        "releve ack {message_id}",
    },
    "urgent.backup_told": {
        "fr": "Votre contact de secours {backup} a été prévenu (sans le contenu du message).",
        "en": "Your backup contact {backup} has been told (without the message's content).",
    },
    "refused.entry": {
        "fr": "REFUSÉ par votre poste : {what} de {name} ({when}) – {reason}.",
        "en": "REFUSED by your node: {what} from {name} ({when}) – {reason}.",
    },
    "refused.hint": {
        "fr": "Rien n'a été enregistré. Appelez {name} : qu'il vérifie et renvoie, ou "
        "transmettez autrement.",
        "en": "Nothing was stored. Phone {name}: they can check and send it again, or use "
        "another way.",
    },
    "refused.unknown_contact": {"fr": "un ancien contact", "en": "a former contact"},
    "refused.kind.prescription": {"fr": "une ordonnance", "en": "a prescription"},
    "refused.kind.cancellation": {
        "fr": "une annulation d'ordonnance",
        "en": "a prescription cancellation",
    },
    "refused.kind.dispensing": {
        "fr": "un compte rendu de délivrance",
        "en": "a dispensing report",
    },
    "refused.kind.read_back": {
        "fr": "une reformulation de transmission",
        "en": "a handoff read-back",
    },
    "refused.kind.other": {"fr": "un message", "en": "a message"},
    "refused.reason.unsigned": {
        "fr": "ordonnance non signée (Relève trop ancien chez l'expéditeur)",
        "en": "unsigned prescription (the sender's Relève is too old)",
    },
    "refused.reason.not_prescriber": {
        "fr": "ce contact n'est pas prescripteur",
        "en": "this contact is not a prescriber",
    },
    "refused.reason.bad_signature": {
        "fr": "la signature ne correspond pas : contenu modifié ou mauvaise clé",
        "en": "the signature does not match: altered content or wrong key",
    },
    "refused.reason.prescriber_mismatch": {
        "fr": "le prescripteur indiqué n'est pas ce contact (nom ou RPPS différent de sa fiche)",
        "en": "the prescriber named is not this contact (name or RPPS not the one on their card)",
    },
    "refused.reason.unknown_prescription": {
        "fr": "elle concerne une ordonnance que vous n'avez pas",
        "en": "it is about a prescription you do not have",
    },
    "refused.reason.unknown_handoff": {
        "fr": "elle concerne une transmission que vous n'avez pas envoyée",
        "en": "it is about a handoff you did not send",
    },
    "refused.reason.rule": {
        "fr": "règle non respectée : {field} – {rule}",
        "en": "a rule is not met: {field} – {rule}",
    },
    "refused.reason.other": {"fr": "motif {reason}", "en": "reason {reason}"},
    "urgent.call": {
        "fr": "Appelez {name} au {phone}.",
        "en": "Call {name} on {phone}.",
    },
    "urgent.call_no_phone": {
        "fr": "Appelez {name} par téléphone.",
        "en": "Phone {name}.",
    },
}
