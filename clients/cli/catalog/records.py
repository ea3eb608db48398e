"""Back to the record: printing, the FHIR export, the audit log and the printed page."""

from __future__ import annotations

from typing import Final

RECORDS: Final[dict[str, dict[str, str]]] = {
    "audit_reason.changed": {"fr": "entrée modifiée", "en": "entry changed"},
    "audit_reason.missing": {"fr": "entrée supprimée", "en": "entry deleted"},
    "audit_reason.reordered": {"fr": "entrées réordonnées", "en": "entries reordered"},
    "audit_reason.truncated": {
        "fr": "fin du journal supprimée",
        "en": "end of the log deleted",
    },
    "audit_reason.seal": {
        "fr": "le sceau de la dernière entrée ne correspond pas",
        "en": "the seal of the newest entry does not match",
    },
    "print.written": {
        "fr": "Page écrite : {path} ({count} message(s)). Ouvrez-la dans un navigateur pour "
        "l'imprimer ou l'enregistrer en PDF.",
        "en": "Page written: {path} ({count} message(s)). Open it in a browser to print it or "
        "save it as a PDF.",
    },
    "export.done": {
        "fr": "{count} message(s) exporté(s) en FHIR R4 dans {path}",
        "en": "{count} message(s) exported as FHIR R4 to {path}",
    },
    "export.none": {
        "fr": "Aucun message ne correspond : aucun fichier écrit.",
        "en": "No message matches: no file written.",
    },
    "audit.ok": {
        "fr": "Journal d'audit intact : {entries} entrée(s), chaîne vérifiée.",
        "en": "Audit log intact: {entries} entries, chain verified.",
    },
    "audit.broken": {
        "fr": "JOURNAL D'AUDIT ALTÉRÉ à l'entrée {position} ({reason}) sur {entries}. "
        "Gardez une copie du dossier du nœud et prévenez le responsable de la sécurité.",
        "en": "AUDIT LOG TAMPERED WITH at entry {position} ({reason}) of {entries}. Keep a copy "
        "of the node's folder and tell the person in charge of security.",
    },
    "audit.exported": {
        "fr": "Journal d'audit écrit dans {path}",
        "en": "Audit log written to {path}",
    },
    "record.title": {
        "fr": "Relève – messages pour le dossier",
        "en": "Relève – messages for the record",
    },
    "record.printed_by": {
        "fr": "Imprimé le {when} par {name}. Ouvrez ce fichier dans un navigateur et imprimez-le "
        "(ou « Enregistrer en PDF »).",
        "en": "Printed on {when} by {name}. Open this file in a browser and print it (or "
        '"Save as PDF").',
    },
    "record.from": {"fr": "Expéditeur", "en": "Sender"},
    "record.to": {"fr": "Destinataire", "en": "Recipient"},
    "record.sent_at": {"fr": "Envoyé", "en": "Sent"},
    "record.received_at": {"fr": "Reçu", "en": "Received"},
    "record.delivered_at": {"fr": "Remis", "en": "Delivered"},
    "record.read_at": {"fr": "Lu", "en": "Read"},
    "record.acknowledged_at": {"fr": "Pris en compte", "en": "Acknowledged"},
    "record.message_id": {"fr": "Identifiant", "en": "Message id"},
    "record.reply_to": {"fr": "En réponse à", "en": "In reply to"},
    "record.priority": {"fr": "Priorité", "en": "Priority"},
    "record.urgent": {"fr": "URGENT", "en": "URGENT"},
    "record.normal": {"fr": "normale", "en": "normal"},
    "record.node_id": {"fr": "nœud", "en": "node"},
    "record.status": {"fr": "État", "en": "Status"},
    "record.verified": {"fr": "Correspondant vérifié", "en": "Verified correspondent"},
}
