"""The sentences of the status, readiness check and search screens, and of the escalation
reminder, French first, then English."""

from __future__ import annotations

from typing import Final

STATUS: Final[dict[str, tuple[str, str]]] = {
    # --- the navigation -------------------------------------------------------------------
    "nav.status": ("État", "Status"),
    "nav.check": ("Vérification", "Check"),
    # --- the status screen ----------------------------------------------------------------
    "state.title": ("État du poste", "Node status"),
    "state.node": ("Ce poste", "This node"),
    "state.name": ("Nom", "Name"),
    "state.node_id": ("Identifiant", "Node id"),
    "state.role": ("Rôle", "Role"),
    "state.version": ("Version", "Version"),
    "state.up_since": ("En service depuis", "Running since"),
    "state.uptime": ("{since} (depuis {duration})", "{since} ({duration} ago)"),
    "state.duration.minutes": ("{m} min", "{m} min"),
    "state.duration.hours": ("{h} h {m:02d}", "{h} h {m:02d}"),
    "state.duration.days": ("{d} j {h} h", "{d} d {h} h"),
    "state.peer": ("Adresses directes", "Direct addresses"),
    "state.peer_none": (
        "Aucune : les contacts passent par les relais.",
        "None: contacts go through the relays.",
    ),
    "state.relays": ("Relais", "Relays"),
    "state.relays_none": (
        "Aucun relais configuré : seuls les contacts du réseau local peuvent vous joindre.",
        "No relay configured: only contacts on the local network can reach you.",
    ),
    "state.relay_url": ("Relais", "Relay"),
    "state.relay_state": ("Joignable", "Reachable"),
    "state.relay_last": ("Dernier contact", "Last contact"),
    "state.relay_up": ("oui, connecté", "yes, connected"),
    "state.relay_down": ("non", "no"),
    "state.outbox": ("Messages en attente d'envoi", "Messages waiting to be sent"),
    "state.outbox_empty": (
        "Rien n'attend : tout est remis.",
        "Nothing is waiting: everything was delivered.",
    ),
    "state.outbox_contact": ("Pour", "For"),
    "state.outbox_count": ("Messages", "Messages"),
    "state.outbox_handed": ("Déposés (relais ou poste)", "Handed over (relay or node)"),
    "state.outbox_since": ("Le plus ancien depuis", "Oldest since"),
    "state.outbox_failed": (
        "{count} message(s) n'ont pas pu être remis (voir les conversations).",
        "{count} message(s) could not be delivered (see the conversations).",
    ),
    "state.urgent": (
        "Messages urgents non acquittés (en retard après {minutes} min)",
        "Urgent messages not acknowledged (overdue after {minutes} min)",
    ),
    "state.urgent_none": (
        "Aucun message urgent en attente d'acquittement.",
        "No urgent message waiting for an acknowledgement.",
    ),
    "state.urgent_ours": ("Envoyés par vous", "Sent by you"),
    "state.urgent_theirs": ("Reçus, à acquitter", "Received, to acknowledge"),
    "state.urgent_contact": ("Contact", "Contact"),
    "state.urgent_at": ("Depuis", "Since"),
    "state.urgent_waited": ("Attente", "Waited"),
    "state.urgent_call": ("À appeler", "To call"),
    "state.urgent_minutes": ("{n} min", "{n} min"),
    "state.overdue": ("en retard", "overdue"),
    "state.backup": (
        "Remplaçant : {name}, prévenu (sans le contenu) après {minutes} min sans acquittement.",
        "Backup contact: {name}, told (without the content) after {minutes} min unacknowledged.",
    ),
    "state.backup_none": (
        "Aucun remplaçant configuré (« backup_contact » dans config.toml).",
        "No backup contact configured (“backup_contact” in config.toml).",
    ),
    "state.backup_told": ("{name} prévenu", "{name} told"),
    "state.call_phone": ("appelez le {phone}", "call {phone}"),
    "state.call_nophone": ("appelez ce contact", "call this contact"),
    "state.audit": ("Journal d'audit", "Audit log"),
    "state.audit_ok": (
        "Intact : {entries} entrées vérifiées le {when}.",
        "Intact: {entries} entries checked {when}.",
    ),
    "state.audit_broken": (
        "ALTÉRÉ à l'entrée {position} ({reason}), vérifié le {when} : prévenez votre "
        "responsable informatique.",
        "TAMPERED with at entry {position} ({reason}), checked {when}: tell whoever runs "
        "your computers.",
    ),
    "state.audit_verify": ("Vérifier le journal maintenant", "Check the log now"),
    "state.audit_reason.changed": ("entrée modifiée", "entry changed"),
    "state.audit_reason.missing": ("entrée manquante", "entry missing"),
    "state.audit_reason.reordered": ("entrées déplacées", "entries reordered"),
    "state.audit_reason.truncated": ("fin du journal coupée", "log cut short"),
    "state.audit_reason.seal": ("sceau invalide", "seal invalid"),
    # --- the readiness check --------------------------------------------------------------
    "check.title": ("Vérification des contacts", "Contacts check"),
    "check.intro": (
        "Une sonde sans contenu part vers chaque contact ; son poste répond tout seul. Personne "
        "ne la voit : ni message, ni notification. À faire une fois par mois, pour savoir que "
        "tout est prêt pour la prochaine panne.",
        "A content-free probe goes to every contact; their node answers by itself. No one "
        "sees it: no message, no notification. Run it once a month, to know everything is "
        "ready for the next outage.",
    ),
    "check.start": ("Lancer la vérification", "Run the check"),
    "check.running": (
        "Vérification en cours (au plus {seconds} secondes)…",
        "Checking (at most {seconds} seconds)…",
    ),
    "check.refresh": ("Actualiser", "Refresh"),
    "check.never": (
        "Aucune vérification depuis le démarrage du poste.",
        "No check since the node started.",
    ),
    "check.caption": ("Vérification du {when}", "Check of {when}"),
    "check.summary": (
        "{answered} contact(s) sur {total} ont répondu.",
        "{answered} of {total} contact(s) answered.",
    ),
    "check.no_contacts": (
        "Aucun contact appairé : rien à vérifier.",
        "No paired contact: nothing to check.",
    ),
    "check.col.contact": ("Contact", "Contact"),
    "check.col.answer": ("Réponse", "Answer"),
    "check.col.out": ("Aller", "Out"),
    "check.col.back": ("Retour", "Back"),
    "check.col.rtt": ("Aller-retour", "Round trip"),
    "check.col.call": ("À appeler", "To call"),
    "check.state.answered": ("a répondu", "answered"),
    "check.state.no_answer": ("pas de réponse", "no answer"),
    "check.state.unreachable": ("injoignable", "unreachable"),
    "check.state.not_ready": ("appairage inachevé", "pairing unfinished"),
    "check.direct": ("direct", "direct"),
    "check.relay": ("relais {url}", "relay {url}"),
    "check.relay_unnamed": ("relais", "relay"),
    "check.ms": ("{ms} ms", "{ms} ms"),
    "check.none": ("—", "—"),
    "check.call_nophone": ("numéro inconnu", "number unknown"),
    "check.busy": (
        "Une vérification est déjà en cours : ses résultats s'affichent ci-dessous.",
        "A check is already running: its results show below.",
    ),
    # --- the escalation reminder ------------------------------------------------------------
    "remind.urgent": (
        "Message urgent de {name} non acquitté depuis {minutes} min",
        "Urgent message from {name} not acknowledged for {minutes} min",
    ),
    # --- search -----------------------------------------------------------------------------
    "search.title": ("Rechercher", "Search"),
    "search.label": ("Rechercher (patient, contact, texte)", "Search (patient, contact, text)"),
    "search.submit": ("Rechercher", "Search"),
    "search.scope": (
        "La recherche parcourt les {limit} messages les plus récents (chiffrés sur le disque, "
        "déchiffrés le temps de chercher) ; rien n'est indexé.",
        "Search looks through the {limit} most recent messages (encrypted on disk, decrypted "
        "only while searching); nothing is indexed.",
    ),
    "search.results": ("{count} résultat(s) pour « {query} »", "{count} result(s) for “{query}”"),
    "search.more": (
        "Seuls les {count} premiers résultats sont affichés : précisez la recherche.",
        "Only the first {count} results are shown: narrow the search.",
    ),
    "search.none": ("Aucun message ne correspond à « {query} ».", "No message matches “{query}”."),
    "search.empty": ("Tapez au moins {min} caractères.", "Type at least {min} characters."),
    "search.too_long": (
        "Recherche trop longue (au plus {max} caractères).",
        "Search too long (at most {max} characters).",
    ),
    "search.open": ("Ouvrir", "Open"),
    "search.matched.name": ("contact", "contact"),
    "search.matched.patient": ("patient", "patient"),
    "search.matched.text": ("texte", "text"),
    "search.in": ("Trouvé dans :", "Found in:"),
    "search.from": ("De {name}", "From {name}"),
    "search.to": ("À {name}", "To {name}"),
    # --- documents the node refused (refused.py): on the status screen and the list ------------
    "refused.title": (
        "Documents refusés par votre poste (7 derniers jours)",
        "Documents your node refused (last 7 days)",
    ),
    "refused.entry": (
        "{what} de {name}, arrivé(e) le {when}, a été refusé(e).",
        "{what} from {name}, arrived {when}, was refused.",
    ),
    "refused.why": ("Pourquoi :", "Why:"),
    "refused.todo": ("Que faire :", "What to do:"),
    "refused.hint": (
        "Rien n'en a été enregistré. Appelez {name} : qu'il vérifie et renvoie, ou "
        "transmettez autrement (téléphone, papier).",
        "Nothing of it was stored. Phone {name}: they can check and send it again, or use "
        "another way (phone, paper).",
    ),
    "refused.former_contact": ("un ancien contact", "a former contact"),
    "refused.kind": ("Un document", "A document"),
    "refused.kind.prescription": ("Une ordonnance", "A prescription"),
    "refused.kind.cancellation": ("Une annulation d'ordonnance", "A prescription cancellation"),
    "refused.kind.dispensing": ("Un compte rendu de délivrance", "A dispensing report"),
    "refused.kind.read_back": ("Une reformulation de transmission", "A handoff read-back"),
    "refused.why.unsigned": (
        "ordonnance non signée (le Relève de l'expéditeur est trop ancien).",
        "unsigned prescription (the sender's Relève is too old).",
    ),
    "refused.why.not_prescriber": (
        "ce contact n'est pas prescripteur.",
        "this contact is not a prescriber.",
    ),
    "refused.why.bad_signature": (
        "la signature ne correspond pas : contenu modifié ou mauvaise clé.",
        "the signature does not match: altered content or wrong key.",
    ),
    "refused.why.prescriber_mismatch": (
        "le prescripteur indiqué n'est pas ce contact (nom ou RPPS différent de sa fiche).",
        "the prescriber named is not this contact (name or RPPS not the one on their card).",
    ),
    "refused.why.unknown_prescription": (
        "il ou elle concerne une ordonnance que vous n'avez pas.",
        "it is about a prescription you do not have.",
    ),
    "refused.why.unknown_handoff": (
        "elle concerne une transmission que vous n'avez pas envoyée.",
        "it is about a handoff you did not send.",
    ),
    "refused.why.rule": (
        "une règle n'est pas respectée : {field} – {rule}",
        "a rule is not met: {field} – {rule}",
    ),
    "refused.why.other": ("motif « {reason} ».", "reason “{reason}”."),
    # --- the printed record (screens/records.py; the words of `releve print`) -----------------
    "record.title": ("Relève – messages pour le dossier", "Relève – messages for the record"),
    "record.printed_by": ("Imprimé le {when} par {name}.", "Printed on {when} by {name}."),
    "record.back": ("Retour à la conversation", "Back to the conversation"),
    "record.print": ("Imprimer", "Print"),
    "record.how": (
        "Page A4 : imprimez-la ou choisissez « Enregistrer en PDF ».",
        "An A4 page: print it or choose “Save as PDF”.",
    ),
    "record.from": ("Expéditeur", "Sender"),
    "record.to": ("Destinataire", "Recipient"),
    "record.sent_at": ("Envoyé", "Sent"),
    "record.received_at": ("Reçu", "Received"),
    "record.delivered_at": ("Remis", "Delivered"),
    "record.read_at": ("Lu", "Read"),
    "record.acknowledged_at": ("Pris en compte", "Acknowledged"),
    "record.not_acknowledged": ("pas encore", "not yet"),
    "record.message_id": ("Identifiant", "Message id"),
    "record.reply_to": ("En réponse à", "In reply to"),
    "record.priority": ("Priorité", "Priority"),
    "record.urgent": ("URGENT", "URGENT"),
    "record.normal": ("normale", "normal"),
    "record.node_id": ("nœud", "node"),
    "record.status": ("État", "Status"),
    "record.verified": ("Correspondant vérifié", "Verified correspondent"),
    "record.yes": ("oui", "yes"),
    "record.no": ("non", "no"),
    "record.code_label": (
        "Code de vérification de l'ordonnance signée",
        "Verification code of the signed prescription",
    ),
    "record.code_none": (
        "Pas de code de vérification : ordonnance trop longue pour la page. Vérifiez-la à l'écran.",
        "No verification code: the prescription is too long for the page. Check it on screen.",
    ),
    "record.code_about": (
        "Ce code contient l'ordonnance signée par le prescripteur, sa signature et sa clé. "
        "« releve verify-print PHOTO » vérifie la signature hors ligne et affiche le contenu "
        "signé : comparez-le au texte ci-dessus.",
        "This code holds the prescription signed by the prescriber, its signature and key. "
        "“releve verify-print PHOTO” checks the signature offline and shows the signed "
        "content: compare it with the text above.",
    ),
    "conv.print": ("Imprimer la conversation", "Print the conversation"),
    # --- exports (screens/records.py) ----------------------------------------------------------
    "records.title": ("Exports pour le dossier", "Exports for the record"),
    "records.link": (
        "Exporter vers le dossier (FHIR) ou le journal d'audit",
        "Export to the record (FHIR) or the audit log",
    ),
    "records.export": ("Export FHIR (NDJSON)", "FHIR export (NDJSON)"),
    "records.export_intro": (
        "Un fichier à reprendre dans le logiciel du cabinet une fois revenu : un Bundle FHIR R4 "
        "par message, comme « releve export ». Il contient des données de patients : "
        "enregistrez-le sur ce poste seulement.",
        "A file to take back into the practice's software once it is back: one FHIR R4 Bundle "
        "per message, as “releve export” writes. It holds patient data: save it on this "
        "machine only.",
    ),
    "records.patient": ("Patient (facultatif)", "Patient (optional)"),
    "records.patient_hint": (
        "Nom, prénom ou INS : seuls ses messages. Vide : tous.",
        "Name, first name or INS: only their messages. Empty: all.",
    ),
    "records.since": ("Depuis le (facultatif)", "Since (optional)"),
    "records.since_hint": ("Heure de Paris.", "Paris time."),
    "records.export_button": ("Télécharger l'export", "Download the export"),
    "records.nothing": ("Aucun message à exporter.", "No message to export."),
    "records.error.patient_too_long": ("Nom trop long.", "Name too long."),
    "records.error.since_invalid": ("Date invalide.", "Invalid date."),
    "records.audit": ("Journal d'audit", "Audit log"),
    "records.audit_intro": (
        "Le journal chaîné de ce poste (sans contenu de message), à vérifier hors ligne avec "
        "« releve audit verify --file FICHIER ».",
        "This node's hash-chained log (no message content), to check offline with "
        "“releve audit verify --file FILE”.",
    ),
    "records.audit_button": ("Télécharger le journal d'audit", "Download the audit log"),
    "records.audit_admin_only": (
        "Sur le serveur du cabinet, seul un administrateur le télécharge : il nomme chaque "
        "contact et chaque personne.",
        "On the practice's server, only an administrator downloads it: it names every contact "
        "and every person.",
    ),
}
