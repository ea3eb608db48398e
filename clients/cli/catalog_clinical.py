"""The catalog's sentences for clinical messages (issue 6), French first then English.

Kept apart from :mod:`clients.cli.i18n` for length only: i18n merges them into its CATALOG, and
the same rules hold (both languages, the same placeholders).
"""

from __future__ import annotations

from typing import Final

CLINICAL: Final[dict[str, dict[str, str]]] = {
    # -- help ----------------------------------------------------------------------------------
    "help.message_text_optional": {
        "fr": "texte du message (sauf avec --handoff, --prescription ou --file)",
        "en": "the message's text (except with --handoff, --prescription or --file)",
    },
    "form.prescriber_not_saved": {
        "fr": "(vos coordonnées de prescripteur n'ont pas pu être gardées dans {file} pour la "
        "prochaine fois ; l'ordonnance est bien envoyée)",
        "en": "(your prescriber details could not be kept in {file} for next time; the "
        "prescription was sent)",
    },
    "help.urgent": {
        "fr": "message urgent : le destinataire doit en accuser la prise en compte (releve ack)",
        "en": "urgent message: the recipient must acknowledge it (releve ack)",
    },
    "help.reply_to": {
        "fr": "le message auquel celui-ci répond (identifiant ou début d'identifiant)",
        "en": "the message this one answers (id or start of the id)",
    },
    "help.handoff": {
        "fr": "transmission SAED d'un patient (questions posées une à une)",
        "en": "SAED patient handoff (asked field by field)",
    },
    "help.prescription": {
        "fr": "ordonnance pour le pharmacien (questions posées une à une)",
        "en": "prescription for the pharmacist (asked field by field)",
    },
    "help.from_json": {
        "fr": "lire la transmission ou l'ordonnance dans ce fichier JSON au lieu de la demander",
        "en": "read the handoff or prescription from this JSON file instead of asking",
    },
    "help.file": {
        "fr": "envoyer ce fichier (PDF ou image, 64 Mio au plus)",
        "en": "send this file (PDF or image, 64 MiB at most)",
    },
    "help.caption": {
        "fr": "légende de la pièce jointe",
        "en": "the attachment's caption",
    },
    "help.no_wait": {
        "fr": "ne pas suivre le transfert (il continue dans le nœud)",
        "en": "do not follow the transfer (it continues in the node)",
    },
    "help.show": {
        "fr": "afficher un message en entier (tout type), avec ses accusés",
        "en": "show a message in full (any kind), with its receipts",
    },
    "help.ack": {
        "fr": "accuser la prise en compte d'un message urgent reçu",
        "en": "acknowledge a received urgent message",
    },
    "help.save": {
        "fr": "enregistrer la pièce jointe d'un message dans un dossier",
        "en": "save a message's attachment into a folder",
    },
    "help.save_dir": {
        "fr": "dossier où enregistrer le fichier (il doit exister)",
        "en": "folder to save the file into (it must exist)",
    },
    "help.print_message": {
        "fr": "écrire une page A4 imprimable (HTML) d'un message ou d'une conversation",
        "en": "write a printable A4 page (HTML) of a message or a conversation",
    },
    "help.print_out": {
        "fr": "fichier HTML à écrire (par défaut dans le dossier courant, sans rien écraser)",
        "en": "HTML file to write (default: in the current folder, overwriting nothing)",
    },
    "help.conversation": {
        "fr": "imprimer toute la conversation avec ce contact",
        "en": "print the whole conversation with this contact",
    },
    "help.export": {
        "fr": "exporter les messages en FHIR R4 (un Bundle par ligne, NDJSON) pour le dossier "
        "patient",
        "en": "export messages as FHIR R4 (one Bundle per line, NDJSON) for the patient record",
    },
    "help.patient": {
        "fr": "seulement ce patient : nom, prénoms ou INS",
        "en": "only this patient: name, first names or INS",
    },
    "help.since": {
        "fr": "seulement depuis cette date (AAAA-MM-JJ ou JJ/MM/AAAA)",
        "en": "only since this date (YYYY-MM-DD or DD/MM/YYYY)",
    },
    "help.export_out": {
        "fr": "fichier à écrire (par défaut releve-export-DATE.ndjson, sans rien écraser)",
        "en": "file to write (default releve-export-DATE.ndjson, overwriting nothing)",
    },
    "help.audit": {
        "fr": "journal d'audit : vérifier son intégrité ou l'exporter",
        "en": "audit log: verify its integrity or export it",
    },
    "help.audit_verify": {
        "fr": "vérifier que le journal d'audit n'a été ni modifié, ni raccourci, ni réordonné",
        "en": "check that the audit log was not changed, shortened or reordered",
    },
    "help.audit_export": {
        "fr": "écrire le journal d'audit en JSON, une entrée par ligne",
        "en": "write the audit log as JSON, one entry per line",
    },
    "help.audit_out": {
        "fr": "fichier à écrire (sinon la sortie standard)",
        "en": "file to write (else standard output)",
    },
    "help.bad_date": {
        "fr": "date invalide : {value} (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        "en": "invalid date: {value} (expected YYYY-MM-DD or DD/MM/YYYY)",
    },
    "metavar.folder": {"fr": "DOSSIER", "en": "FOLDER"},
    "metavar.date": {"fr": "DATE", "en": "DATE"},
    # -- usage errors of send ------------------------------------------------------------------
    "error.send_what": {
        "fr": "dites quoi envoyer : un TEXTE, ou --handoff, --prescription ou --file (un seul)",
        "en": "say what to send: a TEXT, or --handoff, --prescription or --file (only one)",
    },
    "error.from_json_kind": {
        "fr": "--from-json s'emploie avec --handoff ou --prescription",
        "en": "--from-json goes with --handoff or --prescription",
    },
    "error.file_options": {
        "fr": "--caption et --no-wait s'emploient avec --file",
        "en": "--caption and --no-wait go with --file",
    },
    "error.print_what": {
        "fr": "dites quoi imprimer : un IDENTIFIANT de message, ou --conversation CONTACT",
        "en": "say what to print: a message ID, or --conversation CONTACT",
    },
    # -- files given on the command line -------------------------------------------------------
    "error.file_missing": {
        "fr": "le fichier {path} n'existe pas",
        "en": "the file {path} does not exist",
    },
    "error.file_not_regular": {
        "fr": "{path} n'est pas un fichier",
        "en": "{path} is not a file",
    },
    "error.file_unreadable": {
        "fr": "impossible de lire {path} ({reason})",
        "en": "cannot read {path} ({reason})",
    },
    "error.file_empty": {
        "fr": "le fichier {path} est vide",
        "en": "the file {path} is empty",
    },
    "error.file_too_large": {
        "fr": "le fichier {path} fait {size} : c'est plus que {limit}",
        "en": "the file {path} is {size}: more than {limit}",
    },
    "error.json_invalid": {
        "fr": "{path} n'est pas du JSON valide (ligne {line}, colonne {column} : {reason})",
        "en": "{path} is not valid JSON (line {line}, column {column}: {reason})",
    },
    "error.json_not_object": {
        "fr": "{path} doit contenir un objet JSON {{…}} : la transmission ou l'ordonnance entière",
        "en": "{path} must hold a JSON object {{…}}: the whole handoff or prescription",
    },
    "error.dir_missing": {
        "fr": "le dossier {path} n'existe pas",
        "en": "the folder {path} does not exist",
    },
    "error.out_exists": {
        "fr": "{path} existe déjà : rien n'a été écrasé ; choisissez un autre nom",
        "en": "{path} already exists: nothing was overwritten; choose another name",
    },
    "error.input_ended": {
        "fr": "saisie interrompue : rien n'a été envoyé",
        "en": "input ended: nothing was sent",
    },
    "error.not_attachment": {
        "fr": "ce message n'a pas de pièce jointe",
        "en": "this message has no attachment",
    },
    "error.file_mismatch": {
        "fr": "le fichier reçu du nœud ne correspond pas à son empreinte : rien n'a été "
        "enregistré ; réessayez",
        "en": "the file received from the node does not match its fingerprint: nothing was "
        "saved; try again",
    },
    "error.transfer_failed": {
        "fr": "le transfert de la pièce jointe a échoué (non remise dans le délai) ; "
        "renvoyez le fichier",
        "en": "the attachment's transfer failed (not delivered in time); send the file again",
    },
    "error.no_messages": {
        "fr": "aucun message avec ce contact",
        "en": "no messages with this contact",
    },
    "error.too_many_attempts": {
        "fr": "le nœud refuse encore le formulaire après plusieurs corrections : rien n'a été "
        "envoyé",
        "en": "the node still refuses the form after several corrections: nothing was sent",
    },
    # -- errors of the local API ---------------------------------------------------------------
    "api.invalid_field": {
        "fr": "{field} : {reason}",
        "en": "{field}: {reason}",
    },
    "api.attachment_incomplete": {
        "fr": "la pièce jointe n'est pas encore complète et vérifiée ; réessayez quand elle "
        "l'est (releve show)",
        "en": "the attachment is not complete and checked yet; try again when it is (releve show)",
    },
    "api.not_urgent": {
        "fr": "seul un message urgent reçu demande un accusé de prise en compte",
        "en": "only a received urgent message asks for an acknowledgement",
    },
    "api.not_an_attachment": {
        "fr": "ce message n'est pas une pièce jointe",
        "en": "this message is not an attachment",
    },
    "api.audit_broken": {
        "fr": "le journal d'audit est abîmé ou a été modifié ; lancez `releve audit verify`",
        "en": "the audit log is damaged or was changed; run `releve audit verify`",
    },
    # -- validation reasons (the node's codes) -------------------------------------------------
    "reason.required": {"fr": "à renseigner", "en": "required"},
    "reason.too_long": {"fr": "trop long", "en": "too long"},
    "reason.invalid_date": {
        "fr": "date invalide (AAAA-MM-JJ ou JJ/MM/AAAA, année 1900 ou après)",
        "en": "invalid date (YYYY-MM-DD or DD/MM/YYYY, year 1900 or later)",
    },
    "reason.future_date": {
        "fr": "la date est dans le futur",
        "en": "the date is in the future",
    },
    "reason.invalid_ins": {
        "fr": "l'INS doit compter 15 chiffres (NIR et clé ; 2A ou 2B pour la Corse)",
        "en": "the INS must have 15 digits (NIR and key; 2A or 2B for Corsica)",
    },
    "reason.ins_key": {
        "fr": "la clé de l'INS (2 derniers chiffres) ne correspond pas : vérifiez la carte "
        "Vitale ou l'attestation",
        "en": "the INS key (last 2 digits) does not match: check the carte Vitale or the "
        "certificate",
    },
    "reason.invalid_rpps": {
        "fr": "le numéro RPPS compte exactement 11 chiffres",
        "en": "the RPPS number has exactly 11 digits",
    },
    "reason.rpps_key": {
        "fr": "le chiffre de contrôle du numéro RPPS ne correspond pas : vérifiez le numéro",
        "en": "the RPPS number's check digit does not match: check the number",
    },
    "reason.invalid_phone": {
        "fr": "numéro de téléphone invalide (6 à 20 chiffres ; espaces, points, +, - admis)",
        "en": "invalid phone number (6 to 20 digits; spaces, dots, +, - allowed)",
    },
    "reason.invalid_sex": {
        "fr": "sexe : F, M ou U (inconnu)",
        "en": "sex: F, M or U (unknown)",
    },
    "reason.weight_required": {
        "fr": "le poids est obligatoire pour un patient de moins de 15 ans",
        "en": "the weight is required for a patient under 15",
    },
    "reason.invalid_weight": {
        "fr": "poids invalide (en kg, par exemple 18,5)",
        "en": "invalid weight (in kg, for example 18.5)",
    },
    "reason.invalid_number": {
        "fr": "nombre invalide",
        "en": "invalid number",
    },
    "reason.duration_or_quantity": {
        "fr": "indiquez une durée ou une quantité",
        "en": "give a duration or a quantity",
    },
    "reason.too_many": {"fr": "trop nombreux", "en": "too many"},
    "reason.invalid_media_type": {
        "fr": "type de fichier refusé : PDF, JPEG, PNG, TIFF, GIF, WebP ou HEIC seulement",
        "en": "file type refused: PDF, JPEG, PNG, TIFF, GIF, WebP or HEIC only",
    },
    "reason.too_large": {"fr": "trop gros", "en": "too large"},
    "reason.invalid_name": {"fr": "nom invalide", "en": "invalid name"},
    "reason.invalid_choice": {"fr": "choix invalide", "en": "invalid choice"},
    "reason.unknown_field": {
        "fr": "champ inconnu (version du nœud différente ?)",
        "en": "unknown field (different node version?)",
    },
    "reason.invalid_type": {
        "fr": "valeur d'un type inattendu (texte, nombre…)",
        "en": "value of an unexpected type (text, number…)",
    },
    "reason.invalid_text": {
        "fr": "caractères invisibles ou invalides dans le texte",
        "en": "invisible or invalid characters in the text",
    },
    "reason.invalid_id": {
        "fr": "identifiant de message invalide",
        "en": "invalid message id",
    },
    "reason.other": {"fr": "refusé ({reason})", "en": "refused ({reason})"},
    # -- what `releve audit verify` found (GET /v1/audit/verify, problem.reason) ---------------
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
    # -- field labels --------------------------------------------------------------------------
    "field.unknown": {"fr": "formulaire", "en": "form"},
    "field.in_line": {"fr": "Ligne {number} – {label}", "en": "Line {number} – {label}"},
    "field.contact": {"fr": "destinataire", "en": "recipient"},
    "field.message": {"fr": "message (taille totale)", "en": "message (total size)"},
    "field.kind": {"fr": "type de message", "en": "message kind"},
    "field.text": {"fr": "texte", "en": "text"},
    "field.priority": {"fr": "priorité", "en": "priority"},
    "field.reply_to": {"fr": "message auquel on répond", "en": "message answered"},
    "field.patient": {"fr": "patient", "en": "patient"},
    "field.patient.birth_name": {"fr": "nom de naissance", "en": "birth name"},
    "field.patient.first_names": {"fr": "prénoms", "en": "first names"},
    "field.patient.birth_date": {"fr": "date de naissance", "en": "date of birth"},
    "field.patient.sex": {"fr": "sexe", "en": "sex"},
    "field.patient.ins": {"fr": "INS (matricule)", "en": "INS (national health id)"},
    "field.patient.weight_kg": {"fr": "poids (kg)", "en": "weight (kg)"},
    "field.situation": {"fr": "S – Situation", "en": "S – Situation"},
    "field.background": {"fr": "A – Antécédents", "en": "B – Background"},
    "field.assessment": {"fr": "E – Évaluation", "en": "A – Assessment"},
    "field.request": {"fr": "D – Demande", "en": "R – Request"},
    "field.prescriber": {"fr": "prescripteur", "en": "prescriber"},
    "field.prescriber.name": {"fr": "nom du prescripteur", "en": "prescriber's name"},
    "field.prescriber.specialty": {"fr": "spécialité", "en": "specialty"},
    "field.prescriber.rpps": {"fr": "numéro RPPS", "en": "RPPS number"},
    "field.prescriber.address": {"fr": "adresse du cabinet", "en": "practice address"},
    "field.prescriber.phone": {"fr": "téléphone du cabinet", "en": "practice phone"},
    "field.date": {"fr": "date de l'ordonnance", "en": "prescription date"},
    "field.lines": {"fr": "lignes de l'ordonnance", "en": "prescription lines"},
    "field.lines.medicine": {"fr": "médicament (nom ou DCI)", "en": "medicine (name or INN)"},
    "field.lines.strength": {"fr": "dosage (ex. 500 mg)", "en": "strength (e.g. 500 mg)"},
    "field.lines.dosage": {
        "fr": "posologie (ex. 1 comprimé 3 fois par jour)",
        "en": "dosage (e.g. 1 tablet 3 times a day)",
    },
    "field.lines.duration": {"fr": "durée (ex. 7 jours)", "en": "duration (e.g. 7 days)"},
    "field.lines.quantity": {"fr": "quantité (ex. 1 boîte)", "en": "quantity (e.g. 1 box)"},
    "field.lines.renewals": {
        "fr": "renouvellements (0 à 12)",
        "en": "renewals (0 to 12)",
    },
    "field.notes": {"fr": "remarques", "en": "notes"},
    "field.file_name": {"fr": "nom du fichier", "en": "file name"},
    "field.media_type": {"fr": "type de fichier", "en": "file type"},
    "field.size": {"fr": "taille du fichier", "en": "file size"},
    "field.sha256": {"fr": "empreinte SHA-256", "en": "SHA-256 fingerprint"},
    "field.caption": {"fr": "légende", "en": "caption"},
    # -- interactive forms ---------------------------------------------------------------------
    "form.handoff_intro": {
        "fr": "Transmission SAED. Répondez à chaque question ; Ctrl-C abandonne sans rien envoyer.",
        "en": "SAED handoff. Answer each question; Ctrl-C gives up without sending anything.",
    },
    "form.prescription_intro": {
        "fr": "Ordonnance. Répondez à chaque question ; [entre crochets] la valeur gardée si "
        "vous appuyez sur Entrée ; Ctrl-C abandonne sans rien envoyer.",
        "en": "Prescription. Answer each question; [in brackets] the value kept if you press "
        "Enter; Ctrl-C gives up without sending anything.",
    },
    "form.patient_heading": {"fr": "Patient", "en": "Patient"},
    "form.prescriber_heading": {"fr": "Prescripteur", "en": "Prescriber"},
    "form.line_heading": {"fr": "Ligne {number}", "en": "Line {number}"},
    "form.optional": {"fr": "facultatif, Entrée pour passer", "en": "optional, Enter to skip"},
    "form.multiline": {
        "fr": "plusieurs lignes possibles ; une ligne vide termine",
        "en": "several lines allowed; an empty line ends",
    },
    "form.sex_hint": {"fr": "F, M ou U = inconnu", "en": "F, M or U = unknown"},
    "form.date_hint": {"fr": "JJ/MM/AAAA", "en": "YYYY-MM-DD"},
    "form.weight_hint": {
        "fr": "obligatoire avant 15 ans",
        "en": "required under 15",
    },
    "form.another_line": {
        "fr": "Ajouter une autre ligne ? (oui/non) [non] ",
        "en": "Add another line? (yes/no) [no] ",
    },
    "form.confirm_send": {
        "fr": "Envoyer à {name} ? (oui/non) ",
        "en": "Send to {name}? (yes/no) ",
    },
    "form.not_sent": {"fr": "Rien n'a été envoyé.", "en": "Nothing was sent."},
    "form.fix": {
        "fr": "Le nœud refuse « {field} » : {reason}. Corrigez :",
        "en": 'The node refuses "{field}": {reason}. Correct it:',
    },
    "form.not_a_number": {
        "fr": "ce n'est pas un nombre entier ; recommencez",
        "en": "this is not a whole number; try again",
    },
    "form.not_a_decimal": {
        "fr": "ce n'est pas un nombre ; recommencez",
        "en": "this is not a number; try again",
    },
    "form.review": {"fr": "Relisez avant l'envoi :", "en": "Review before sending:"},
    # -- send, ack, save, print, export, audit -------------------------------------------------
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
    # -- urgent messages in status and inbox ---------------------------------------------------
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
    "urgent.call": {
        "fr": "Appelez {name} au {phone}.",
        "en": "Call {name} on {phone}.",
    },
    "urgent.call_no_phone": {
        "fr": "Appelez {name} par téléphone.",
        "en": "Phone {name}.",
    },
    # -- showing messages ----------------------------------------------------------------------
    "kind.text": {"fr": "Message", "en": "Message"},
    "kind.handoff": {"fr": "Transmission SAED", "en": "SAED handoff"},
    "kind.prescription": {"fr": "Ordonnance", "en": "Prescription"},
    "kind.attachment": {"fr": "Pièce jointe", "en": "Attachment"},
    "show.urgent": {
        "fr": "Priorité : URGENT (accusé de prise en compte demandé)",
        "en": "Priority: URGENT (acknowledgement requested)",
    },
    "show.urgent_mark": {"fr": "[URGENT]", "en": "[URGENT]"},
    "show.acknowledged_at": {
        "fr": "Pris en compte : {when}",
        "en": "Acknowledged: {when}",
    },
    "show.not_acknowledged": {
        "fr": "Pas encore pris en compte",
        "en": "Not acknowledged yet",
    },
    "show.ack_hint": {
        "fr": "Ce message urgent attend votre accusé : releve ack {message_id}",
        "en": "This urgent message awaits your acknowledgement: releve ack {message_id}",
    },
    "show.reply_to": {
        "fr": "En réponse à : {summary}",
        "en": "In reply to: {summary}",
    },
    "show.thread_item": {
        "fr": "{kind} {direction} {name}, {when} [{message_id}]",
        "en": "{kind} {direction} {name}, {when} [{message_id}]",
    },
    "show.direction_in": {"fr": "de", "en": "from"},
    "show.direction_out": {"fr": "à", "en": "to"},
    "show.patient": {
        "fr": "Patient : {name}, né(e) le {birth_date}, sexe {sex}",
        "en": "Patient: {name}, born {birth_date}, sex {sex}",
    },
    "show.ins": {"fr": "INS : {ins}", "en": "INS: {ins}"},
    "show.weight": {"fr": "Poids : {weight} kg", "en": "Weight: {weight} kg"},
    "show.prescription_date": {
        "fr": "Ordonnance du {date}",
        "en": "Prescription of {date}",
    },
    "show.prescriber": {
        "fr": "Prescripteur : {name}, {specialty} – RPPS {rpps}",
        "en": "Prescriber: {name}, {specialty} – RPPS {rpps}",
    },
    "show.prescriber_contact": {
        "fr": "{address} – tél. {phone}",
        "en": "{address} – tel. {phone}",
    },
    "show.line_duration": {"fr": "pendant {value}", "en": "for {value}"},
    "show.line_quantity": {"fr": "quantité : {value}", "en": "quantity: {value}"},
    "show.line_renewals": {
        "fr": "à renouveler {count} fois",
        "en": "renew {count} times",
    },
    "show.line_no_renewal": {"fr": "non renouvelable", "en": "not renewable"},
    "show.notes": {"fr": "Remarques :", "en": "Notes:"},
    "show.attachment": {
        "fr": "Pièce jointe : {file} ({media_type}, {size})",
        "en": "Attachment: {file} ({media_type}, {size})",
    },
    "show.caption": {"fr": "Légende : {caption}", "en": "Caption: {caption}"},
    "show.sha256": {"fr": "Empreinte SHA-256 : {sha256}", "en": "SHA-256: {sha256}"},
    "show.transfer_out": {
        "fr": "Transfert : {done}/{total} parties remises ({percent} %)",
        "en": "Transfer: {done}/{total} parts delivered ({percent}%)",
    },
    "show.transfer_in": {
        "fr": "Réception : {done}/{total} parties ({percent} %) – pas encore enregistrable",
        "en": "Receiving: {done}/{total} parts ({percent}%) – cannot be saved yet",
    },
    "show.complete_in": {
        "fr": "Fichier complet et vérifié : releve save {message_id} DOSSIER",
        "en": "File complete and checked: releve save {message_id} FOLDER",
    },
    "show.corrupt": {
        "fr": "ATTENTION : le fichier reçu ne correspond pas à son empreinte ; il ne peut pas "
        "être enregistré. Demandez à l'expéditeur de le renvoyer.",
        "en": "WARNING: the received file does not match its fingerprint; it cannot be saved. "
        "Ask the sender to send it again.",
    },
    "show.complete_out": {
        "fr": "Fichier remis en entier.",
        "en": "File delivered in full.",
    },
    "size.bytes": {"fr": "{value} octets", "en": "{value} bytes"},
    "size.kib": {"fr": "{value} Kio", "en": "{value} KiB"},
    "size.mib": {"fr": "{value} Mio", "en": "{value} MiB"},
    "sex.F": {"fr": "F", "en": "F"},
    "sex.M": {"fr": "M", "en": "M"},
    "sex.U": {"fr": "inconnu", "en": "unknown"},
    # -- the printed record (HTML) -------------------------------------------------------------
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
