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
    "record.code_label": {
        "fr": "Code de vérification de l'ordonnance signée",
        "en": "Verification code of the signed prescription",
    },
    "record.code_none": {
        "fr": "Pas de code de vérification : ordonnance trop longue pour la page. Vérifiez-la "
        "à l'écran (releve show).",
        "en": "No verification code: the prescription is too long for the page. Check it on "
        "screen (releve show).",
    },
    "record.code_about": {
        "fr": "Ce code contient l'ordonnance signée par le prescripteur, sa signature et sa "
        "clé. « releve verify-print PHOTO » vérifie la signature hors ligne et affiche le "
        "contenu signé : comparez-le au texte ci-dessus.",
        "en": "This code holds the prescription as its prescriber signed it, the signature and "
        'the key. "releve verify-print PHOTO" checks the signature offline and shows the '
        "signed content: compare it with the text above.",
    },
    "verify_print.valid": {
        "fr": "Signature valable : le contenu du code est celui que la clé ci-dessous a signé.",
        "en": "Signature valid: the code's content is what the key below signed.",
    },
    "verify_print.prescriber": {
        "fr": "Prescripteur indiqué : {name}, RPPS {rpps}",
        "en": "Prescriber stated: {name}, RPPS {rpps}",
    },
    "verify_print.key_ours": {
        "fr": "Clé : celle de ce nœud ({node_id}) : vous avez signé cette ordonnance.",
        "en": "Key: this node's own ({node_id}): you signed this prescription.",
    },
    "verify_print.key_verified": {
        "fr": "Clé : celle de votre contact vérifié « {name} » ({node_id}).",
        "en": 'Key: that of your verified contact "{name}" ({node_id}).',
    },
    "verify_print.key_unverified": {
        "fr": "ATTENTION – clé de votre contact « {name} » ({node_id}), NON VÉRIFIÉ : comparez "
        "d'abord le numéro de sécurité avec lui (releve verify).",
        "en": 'WARNING – key of your contact "{name}" ({node_id}), NOT VERIFIED: compare the '
        "safety number with them first (releve verify).",
    },
    "verify_print.key_unknown": {
        "fr": "ATTENTION – clé INCONNUE de ce nœud ({node_id}) : la signature est cohérente, "
        "mais rien ne prouve que cette clé est celle de ce prescripteur. Appelez-le.",
        "en": "WARNING – key UNKNOWN to this node ({node_id}): the signature is consistent, but "
        "nothing proves this key is this prescriber's. Call them.",
    },
    "verify_print.card_mismatch": {
        "fr": "ATTENTION – le prescripteur indiqué n'est pas celui de la carte de ce contact "
        "(nom ou RPPS différent).",
        "en": "WARNING – the prescriber stated is not the one on this contact's card "
        "(another name or RPPS).",
    },
    "verify_print.to_us": {
        "fr": "Destinataire : ce nœud.",
        "en": "Recipient: this node.",
    },
    "verify_print.to_contact": {
        "fr": "Destinataire : votre contact « {name} ».",
        "en": 'Recipient: your contact "{name}".',
    },
    "verify_print.to_other": {
        "fr": "Destinataire : un autre nœud ({node_id}), pas celui-ci.",
        "en": "Recipient: another node ({node_id}), not this one.",
    },
    "verify_print.stored_same": {
        "fr": "Ce nœud a reçu ou envoyé ce même message ({message_id}).",
        "en": "This node received or sent this same message ({message_id}).",
    },
    "verify_print.stored_different": {
        "fr": "ATTENTION – ce nœud a un message {message_id} dont le contenu est DIFFÉRENT.",
        "en": "WARNING – this node has a message {message_id} whose content is DIFFERENT.",
    },
    "verify_print.stored_absent": {
        "fr": "Message {message_id} : absent de ce nœud.",
        "en": "Message {message_id}: not in this node.",
    },
    "verify_print.content_heading": {
        "fr": "Contenu signé :",
        "en": "Signed content:",
    },
    "verify_print.what_it_proves": {
        "fr": "Ce contrôle prouve que ce contenu a été signé par cette clé ; il ne lit pas le "
        "texte imprimé. Comparez ce contenu, ligne à ligne, avec la page.",
        "en": "This check proves that this content was signed by this key; it does not read "
        "the printed text. Compare this content with the page, line by line.",
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
    "audit.file_ok": {
        "fr": "Fichier d'audit intact : {entries} entrée(s), chaîne vérifiée (le sceau ne se "
        "vérifie que sur le nœud). Dernière entrée : {position}:{hash} — notez-la : "
        "--head {position}:{hash} montrera si un prochain export a perdu des entrées.",
        "en": "Audit file intact: {entries} entries, chain verified (the seal is checked on the "
        "node only). Newest entry: {position}:{hash} — note it: --head {position}:{hash} will "
        "show whether a later export lost entries.",
    },
    "audit.file_broken": {
        "fr": "FICHIER D'AUDIT ALTÉRÉ ({path}) à l'entrée {position} ({reason}) sur "
        "{entries} lue(s).",
        "en": "AUDIT FILE TAMPERED WITH ({path}) at entry {position} ({reason}) of {entries} read.",
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
