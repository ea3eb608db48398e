"""The command line's own words: help texts, headings, metavariables, usage errors."""

from __future__ import annotations

from typing import Final

COMMAND_LINE: Final[dict[str, dict[str, str]]] = {
    "help.description": {
        "fr": "Relève : messagerie sécurisée de secours entre soignants, de poste à poste.",
        "en": "Relève: secure peer-to-peer fallback messaging between clinicians.",
    },
    "help.epilog": {
        "fr": "Codes de sortie : 0 succès, 1 erreur (expliquée), 2 commande mal écrite, "
        "3 aucun nœud en marche. Guide : docs/user-guide.md",
        "en": "Exit codes: 0 success, 1 error (explained), 2 command-line usage error, "
        "3 no node running. Guide: docs/user-guide.md",
    },
    "help.usage_prefix": {"fr": "usage : ", "en": "usage: "},
    "help.usage_error": {"fr": "{prog} : erreur : {message}", "en": "{prog}: error: {message}"},
    "help.positionals": {"fr": "arguments", "en": "arguments"},
    "help.options": {"fr": "options", "en": "options"},
    "help.commands": {"fr": "commandes", "en": "commands"},
    "help.help": {"fr": "afficher cette aide et quitter", "en": "show this help and exit"},
    "help.home": {
        "fr": "dossier du nœud (sinon $RELEVE_HOME, sinon {default})",
        "en": "the node's folder (else $RELEVE_HOME, else {default})",
    },
    "help.lang": {
        "fr": "langue : fr ou en (sinon $RELEVE_LANG, sinon la langue du système)",
        "en": "language: fr or en (else $RELEVE_LANG, else the system's language)",
    },
    "help.init": {
        "fr": "créer le nœud de ce poste (une seule fois)",
        "en": "create this machine's node (once)",
    },
    "help.prescription_group": {
        "fr": "suivi d'une ordonnance : l'annuler, la modifier, enregistrer sa délivrance",
        "en": "a prescription after sending: cancel it, amend it, report its dispensing",
    },
    "help.prescription_cancel": {
        "fr": "annuler une ordonnance envoyée (« ne pas délivrer ») : un message signé au "
        "pharmacien ; l'ordonnance apparaît ANNULÉE partout",
        "en": 'cancel a prescription you sent ("do not dispense"): a signed message to the '
        "pharmacist; the prescription then reads CANCELLED everywhere",
    },
    "help.prescription_amend": {
        "fr": "remplacer une ordonnance envoyée par une nouvelle (fichier JSON, comme "
        "send --prescription --from-json) ; l'ancienne apparaît REMPLACÉE",
        "en": "replace a prescription you sent by a new one (a JSON file, as in "
        "send --prescription --from-json); the old one then reads REPLACED",
    },
    "help.prescription_dispense": {
        "fr": "pharmacien : dire au prescripteur ce qui a été délivré (dispensed : délivrée, "
        "partly : en partie, refused : refusée, avec --note)",
        "en": "pharmacist: tell the prescriber what was dispensed (dispensed, partly, or "
        "refused, with --note)",
    },
    "help.cancel_reason": {
        "fr": "le motif de l'annulation, lu par le pharmacien",
        "en": "why it is cancelled, read by the pharmacist",
    },
    "help.amend_json": {
        "fr": "la nouvelle ordonnance (fichier JSON, sans « prescriber »)",
        "en": 'the new prescription (a JSON file, without "prescriber")',
    },
    "help.dispense_state": {
        "fr": "dispensed (délivrée), partly (en partie) ou refused (refusée)",
        "en": "dispensed, partly (partly dispensed) or refused",
    },
    "help.dispense_note": {
        "fr": "ce qui a été délivré ou pourquoi c'est refusé (obligatoire sauf « dispensed »)",
        "en": "what was dispensed, or why it was refused (required unless dispensed)",
    },
    "help.confirmed_by_phone": {
        "fr": "vous avez confirmé l'ordonnance par téléphone avec le prescripteur",
        "en": "you confirmed the prescription by phone with the prescriber",
    },
    "help.prescriber_name": {
        "fr": "prescripteur (médecin) : votre nom tel qu'il figure sur vos ordonnances, par "
        "exemple « Dr Camille Martin » ; transmis à vos contacts avec votre RPPS",
        "en": "prescriber (physician): your name as your prescriptions state it, e.g. "
        '"Dr Camille Martin"; given to your contacts with your RPPS',
    },
    "help.rpps": {
        "fr": "prescripteur : votre numéro RPPS (11 chiffres), vérifié par vos contacts à "
        "l'appairage",
        "en": "prescriber: your RPPS number (11 digits), checked by your contacts at pairing",
    },
    "help.specialty": {
        "fr": "prescripteur : votre spécialité (« Médecine générale »)",
        "en": 'prescriber: your specialty ("Médecine générale")',
    },
    "help.address": {
        "fr": "prescripteur : l'adresse du cabinet, imprimée sur vos ordonnances",
        "en": "prescriber: the practice's address, printed on your prescriptions",
    },
    "help.email": {
        "fr": "prescripteur : votre adresse électronique (mention obligatoire, R.5132-3)",
        "en": "prescriber: your e-mail address (required on a prescription, R.5132-3)",
    },
    "help.phone": {
        "fr": "votre numéro de téléphone, donné à vos contacts pour qu'ils vous appellent si un "
        "message urgent attend votre accusé de prise en compte (facultatif)",
        "en": "your phone number, given to your contacts so that they can call you when an "
        "urgent message waits for your acknowledgement (optional)",
    },
    "help.name": {
        "fr": "nom montré à vos contacts, par exemple « Dr Camille Martin »",
        "en": 'name shown to your contacts, for example "Dr Camille Martin"',
    },
    "help.role": {
        "fr": "rôle : medecin, pharmacien, cabinet, infirmier, specialiste, laboratoire, autre",
        "en": "role: gp, pharmacist, practice, nurse, specialist, laboratory, other",
    },
    "help.passphrase_file_init": {
        "fr": "lire la phrase secrète dans ce fichier (sinon elle est demandée)",
        "en": "read the passphrase from this file (else it is asked for)",
    },
    "help.unattended": {
        "fr": "sans phrase secrète, pour un serveur de cabinet (clé dans le dossier : moins sûr)",
        "en": "no passphrase, for a practice server (key in the folder: less safe)",
    },
    "help.node": {
        "fr": "faire tourner le nœud (jusqu'à Ctrl-C)",
        "en": "run the node (until Ctrl-C)",
    },
    "help.relay_command": {
        "fr": "faire tourner un relais (en mémoire seulement, jusqu'à Ctrl-C)",
        "en": "run a relay (in memory only, until Ctrl-C)",
    },
    "help.relay_listen": {
        "fr": "adresse d'écoute du relais, par exemple 0.0.0.0:7400 (par défaut 127.0.0.1:7400)",
        "en": "address the relay listens on, for example 0.0.0.0:7400 (default 127.0.0.1:7400)",
    },
    "help.listen": {
        "fr": "adresse où les autres nœuds vous joignent, par exemple 0.0.0.0:7301",
        "en": "address where other nodes reach you, for example 0.0.0.0:7301",
    },
    "help.no_listen": {
        "fr": "ne pas écouter les autres nœuds (relais seulement)",
        "en": "do not listen for other nodes (relays only)",
    },
    "help.relay": {
        "fr": "relais à utiliser (option répétable)",
        "en": "relay to use (may be repeated)",
    },
    "help.passphrase_file_node": {
        "fr": "lire la phrase secrète dans ce fichier",
        "en": "read the passphrase from this file",
    },
    "help.status": {"fr": "état du nœud", "en": "the node's state"},
    "help.json": {
        "fr": "réponse JSON de l'API locale, telle quelle",
        "en": "the local API's JSON response, unchanged",
    },
    "help.pair": {
        "fr": "appairer deux nœuds (invitation à usage unique)",
        "en": "pair two nodes (one-time invitation)",
    },
    "help.pair_invite": {
        "fr": "créer une invitation : texte et QR code",
        "en": "create an invitation: text and QR code",
    },
    "help.png": {
        "fr": "écrire aussi le QR code dans ce fichier PNG",
        "en": "also write the QR code to this PNG file",
    },
    "help.svg": {
        "fr": "écrire aussi le QR code dans ce fichier SVG",
        "en": "also write the QR code to this SVG file",
    },
    "help.ttl": {
        "fr": "durée de validité en minutes (15 par défaut)",
        "en": "validity in minutes (15 by default)",
    },
    "help.pair_accept": {
        "fr": "accepter l'invitation d'un autre nœud",
        "en": "accept another node's invitation",
    },
    "help.invitation_text": {
        "fr": "le texte de l'invitation (releve:...), ou - pour le lire sur l'entrée standard",
        "en": "the invitation text (releve:...), or - to read it from standard input",
    },
    "help.print": {
        "fr": "écrire aussi une page A4 à imprimer, en HTML (QR code, texte, expiration, "
        "mode d'emploi en français et en anglais)",
        "en": "also write a printable A4 page, as HTML (QR code, text, expiry, instructions "
        "in French and English)",
    },
    "help.image": {
        "fr": "lire l'invitation sur une photo ou une capture d'écran de son QR code (PNG, JPEG…)",
        "en": "read the invitation from a photo or a screenshot of its QR code (PNG, JPEG…)",
    },
    "help.contacts": {"fr": "lister vos contacts", "en": "list your contacts"},
    "help.send": {"fr": "envoyer un message", "en": "send a message"},
    "help.contact": {
        "fr": "nom du contact ou début de son identifiant",
        "en": "the contact's name or the start of its node id",
    },
    "help.message_text": {"fr": "le texte du message", "en": "the message text"},
    "help.inbox": {"fr": "messages reçus non lus", "en": "unread received messages"},
    "help.wait": {
        "fr": "attendre jusqu'à ce nombre de secondes qu'un message arrive (0 à 300)",
        "en": "wait up to this many seconds for a message to arrive (0 to 300)",
    },
    "help.read": {
        "fr": "lire un message (envoie l'accusé de lecture)",
        "en": "read a message (sends the read receipt)",
    },
    "help.message_id": {
        "fr": "identifiant du message (ou son début, 4 caractères au moins)",
        "en": "the message id (or its start, at least 4 characters)",
    },
    "help.demo": {
        "fr": "démonstration : deux nœuds sur ce poste échangent des messages fictifs",
        "en": "demonstration: two nodes on this machine exchange fictitious messages",
    },
    "help.unknown_command": {
        "fr": "commande inconnue : « {command} » (voyez `{prog} --help`)",
        "en": 'unknown command: "{command}" (see `{prog} --help`)',
    },
    "help.unknown_command_near": {
        "fr": "commande inconnue : « {command} » ; vouliez-vous dire « {suggestion} » ?",
        "en": 'unknown command: "{command}"; did you mean "{suggestion}"?',
    },
    "help.invalid_choice": {
        "fr": "choix invalide : « {value} » (possibles : {choices})",
        "en": 'invalid choice: "{value}" (choose from {choices})',
    },
    "help.invalid_choice_near": {
        "fr": "choix invalide : « {value} » ; vouliez-vous dire « {suggestion} » ? "
        "(possibles : {choices})",
        "en": 'invalid choice: "{value}"; did you mean "{suggestion}"? (choose from {choices})',
    },
    "help.bad_role": {
        "fr": "rôle inconnu : {role} (acceptés : {accepted})",
        "en": "unknown role: {role} (accepted: {accepted})",
    },
    "help.bad_range": {
        "fr": "valeur invalide : {value} (nombre entier de {low} à {high})",
        "en": "invalid value: {value} (a whole number from {low} to {high})",
    },
    "metavar.dir": {"fr": "DOSSIER", "en": "DIR"},
    "metavar.command": {"fr": "COMMANDE", "en": "COMMAND"},
    "metavar.name": {"fr": "NOM", "en": "NAME"},
    "metavar.phone": {"fr": "TÉLÉPHONE", "en": "PHONE"},
    "metavar.prescriber_name": {"fr": "NOM", "en": "NAME"},
    "metavar.rpps": {"fr": "RPPS", "en": "RPPS"},
    "metavar.specialty": {"fr": "SPÉCIALITÉ", "en": "SPECIALTY"},
    "metavar.address": {"fr": "ADRESSE", "en": "ADDRESS"},
    "metavar.email": {"fr": "COURRIEL", "en": "E-MAIL"},
    "metavar.reason": {"fr": "MOTIF", "en": "REASON"},
    "metavar.role": {"fr": "RÔLE", "en": "ROLE"},
    "metavar.file": {"fr": "FICHIER", "en": "FILE"},
    "metavar.host_port": {"fr": "HÔTE:PORT", "en": "HOST:PORT"},
    "metavar.minutes": {"fr": "MINUTES", "en": "MINUTES"},
    "metavar.text": {"fr": "TEXTE", "en": "TEXT"},
    "metavar.contact": {"fr": "CONTACT", "en": "CONTACT"},
    "metavar.seconds": {"fr": "SECONDES", "en": "SECONDS"},
    "metavar.message_id": {"fr": "ID_MESSAGE", "en": "MESSAGE_ID"},
    "help.verify": {
        "fr": "montrer le numéro de sécurité d'un contact ; --confirm le marque vérifié",
        "en": "show a contact's safety number; --confirm marks it verified",
    },
    "help.confirm": {
        "fr": "vous avez comparé le numéro avec votre correspondant (à voix haute) : "
        "il est identique",
        "en": "you compared the number with your correspondent (aloud): it is the same",
    },
    "help.unpair": {
        "fr": "mettre fin à l'appairage avec un contact (il en est prévenu)",
        "en": "end the pairing with a contact (they are told)",
    },
    "help.revoke": {
        "fr": "poste perdu ou volé : révoquer l'identité de ce nœud et en prendre une nouvelle",
        "en": "lost or stolen machine: revoke this node's identity and start over with a new one",
    },
    "help.yes": {
        "fr": "ne pas demander de confirmation",
        "en": "do not ask for confirmation",
    },
    "help.pair_call": {
        "fr": "s'appairer par téléphone : afficher un code court à lire à votre correspondant",
        "en": "pair by phone: show a short code to read to your correspondent",
    },
    "help.pair_join": {
        "fr": "s'appairer par téléphone : taper le code que votre correspondant vous lit",
        "en": "pair by phone: type the code your correspondent reads to you",
    },
    "help.phone_relay": {
        "fr": "relais du rendez-vous (par défaut le premier relais du nœud) ; les deux postes "
        "doivent utiliser le même",
        "en": "relay for the rendezvous (by default the node's first relay); both machines "
        "must use the same one",
    },
    "help.phone_code": {
        "fr": "le code lu au téléphone, par exemple 7-lapin-orage-tigre (espaces, majuscules et "
        "accents acceptés)",
        "en": "the code read over the phone, for example 7-lapin-orage-tigre (spaces, capitals "
        "and accents accepted)",
    },
    "metavar.code": {"fr": "CODE", "en": "CODE"},
    "help.message_text_optional": {
        "fr": "texte du message (sauf avec --handoff, --prescription ou --file)",
        "en": "the message's text (except with --handoff, --prescription or --file)",
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
    "help.audit_file": {
        "fr": "vérifier un journal exporté (releve audit export), sans nœud",
        "en": "check an exported log (releve audit export), with no node",
    },
    "help.audit_head": {
        "fr": "position et empreinte de la dernière entrée notées lors d'une vérification "
        "précédente : un fichier raccourci est alors détecté",
        "en": "position and hash of the newest entry noted at an earlier check: a file cut "
        "short is then detected",
    },
    "help.read_back": {
        "fr": "pour une transmission SAED : votre reformulation, envoyée à l'expéditeur",
        "en": "for an SAED handoff: your read-back (reformulation), sent to the sender",
    },
    "help.verify_print": {
        "fr": "vérifier une ordonnance imprimée depuis une photo de son QR code : qui l'a "
        "signée, si c'est un contact vérifié, et son contenu signé",
        "en": "check a printed prescription from a photo of its QR code: who signed it, "
        "whether that is a verified contact, and its signed content",
    },
    "help.verify_print_image": {
        "fr": "photo ou capture de la page (PNG, JPEG…)",
        "en": "photo or screenshot of the page (PNG, JPEG…)",
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
}
