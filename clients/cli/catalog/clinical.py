"""Clinical messages: how they are shown, the forms' questions, fields and validation reasons."""

from __future__ import annotations

from typing import Final

CLINICAL: Final[dict[str, dict[str, str]]] = {
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
    "reason.invalid_duration": {
        "fr": "durée illisible : un nombre et une unité (7 jours, 2 semaines, 3 mois, 1 an)",
        "en": "duration not understood: a number and a unit (7 days, 2 weeks, 3 months, 1 year)",
    },
    "reason.treatment_too_long": {
        "fr": "la durée du traitement, renouvellements compris, dépasse 12 mois (art. "
        "R.5132-21 du CSP) : réduisez la durée ou le nombre de renouvellements",
        "en": "the treatment with its renewals exceeds 12 months (CSP R.5132-21): shorten the "
        "duration or the renewals",
    },
    "reason.narcotic": {
        "fr": "stupéfiant (ou assimilé) : Relève ne peut pas le transmettre. Rédigez une "
        "ordonnance sécurisée papier (quantités en toutes lettres, 28 jours au plus), remise "
        "au patient ou portée à la pharmacie ; prévenez le pharmacien par téléphone",
        "en": "a narcotic (stupéfiant, or assimilated): Relève cannot send it. Write a secure "
        "paper prescription (quantities in words, 28 days at most), handed to the patient or "
        "taken to the pharmacy; tell the pharmacist by phone",
    },
    "reason.ins_not_qualified": {
        "fr": "l'INS ne peut être transmis que pour une identité qualifiée : indiquez le "
        "statut « qualified » ou retirez l'INS",
        "en": 'an INS may only be sent for a qualified identity: give the status "qualified" '
        "or leave the INS out",
    },
    "reason.ins_mismatch": {
        "fr": "l'INS ne correspond pas au sexe ou à l'année et au mois de naissance du patient",
        "en": "the INS does not match the patient's sex or birth year and month",
    },
    "reason.invalid_email": {
        "fr": "adresse électronique invalide",
        "en": "invalid e-mail address",
    },
    "reason.prescriber_from_profile": {
        "fr": "le prescripteur vient du profil du nœud (releve init --rpps …), pas du "
        "formulaire : retirez « prescriber » du fichier",
        "en": "the prescriber comes from the node's profile (releve init --rpps ...), not the "
        'form: remove "prescriber" from the file',
    },
    "reason.prescription_expired": {
        "fr": "datée de plus de trois mois : elle ne peut plus être délivrée (R.5132-22). "
        "Datez-la d'aujourd'hui si le traitement est toujours prescrit",
        "en": "dated more than three months ago: it can no longer be dispensed (R.5132-22). "
        "Date it today if the treatment is still prescribed",
    },
    "reason.other": {"fr": "refusé ({reason})", "en": "refused ({reason})"},
    "prescription.cancelled": {
        "fr": "Annulation signée envoyée à {name} ({message_id}).",
        "en": "Signed cancellation sent to {name} ({message_id}).",
    },
    "prescription.amended": {
        "fr": "Nouvelle ordonnance signée envoyée à {name} ({message_id}) ; l'ancienne est "
        "remplacée.",
        "en": "New signed prescription sent to {name} ({message_id}); the old one is replaced.",
    },
    "prescription.dispensed": {
        "fr": "Délivrance signalée à {name} ({message_id}).",
        "en": "Dispensing reported to {name} ({message_id}).",
    },
    "lifecycle.cancelled": {
        "fr": "*** ORDONNANCE ANNULÉE – NE PAS DÉLIVRER *** ({reason})",
        "en": "*** PRESCRIPTION CANCELLED – DO NOT DISPENSE *** ({reason})",
    },
    "lifecycle.replaced": {
        "fr": "*** ORDONNANCE REMPLACÉE par {by} – ne pas délivrer celle-ci ***",
        "en": "*** PRESCRIPTION REPLACED by {by} – do not dispense this one ***",
    },
    "lifecycle.expired": {
        "fr": "*** VALIDITÉ DÉPASSÉE : première délivrance possible jusqu'au {date} "
        "(R.5132-22) ***",
        "en": "*** PAST ITS VALIDITY: first dispensing allowed until {date} (R.5132-22) ***",
    },
    "lifecycle.valid_until": {
        "fr": "Première délivrance au plus tard le {date}",
        "en": "First dispensing by {date} at the latest",
    },
    "lifecycle.dispensing": {
        "fr": "Pharmacien : {state} le {at}{phone}{note}",
        "en": "Pharmacist: {state} on {at}{phone}{note}",
    },
    "lifecycle.phone": {
        "fr": " (confirmée par téléphone avec le prescripteur)",
        "en": " (confirmed by phone with the prescriber)",
    },
    "dispensing.dispensed": {"fr": "délivrée", "en": "dispensed"},
    "dispensing.partly_dispensed": {"fr": "délivrée en partie", "en": "partly dispensed"},
    "dispensing.refused": {"fr": "refusée", "en": "refused"},
    "signature.verified": {
        "fr": "Signature vérifiée : {name}, RPPS {rpps} (contact appairé)",
        "en": "Signature verified: {name}, RPPS {rpps} (paired contact)",
    },
    "signature.signed": {
        "fr": "Signée par ce nœud : {name}, RPPS {rpps}",
        "en": "Signed by this node: {name}, RPPS {rpps}",
    },
    "signature.unsigned": {
        "fr": "Non signée (reçue avant la version 2 de Relève)",
        "en": "Unsigned (received before Relève version 2)",
    },
    "show.cancellation": {
        "fr": "Annulation de l'ordonnance {target} : {reason}",
        "en": "Cancellation of prescription {target}: {reason}",
    },
    "show.dispensing": {
        "fr": "Délivrance de l'ordonnance {target} : {state}{phone}{note}",
        "en": "Dispensing of prescription {target}: {state}{phone}{note}",
    },
    "show.ins_status": {"fr": "Statut de l'identité : {status}", "en": "Identity status: {status}"},
    "ins_status.provisional": {"fr": "provisoire", "en": "provisional"},
    "ins_status.retrieved": {"fr": "récupérée", "en": "retrieved"},
    "ins_status.validated": {"fr": "validée", "en": "validated"},
    "ins_status.qualified": {"fr": "qualifiée", "en": "qualified"},
    "show.line_inn": {"fr": "DCI : {inn}", "en": "INN: {inn}"},
    "show.line_non_substitutable": {
        "fr": "NON SUBSTITUABLE ({reason})",
        "en": "NOT SUBSTITUTABLE ({reason})",
    },
    "show.prescriber_email": {"fr": "Courriel : {email}", "en": "E-mail: {email}"},
    "kind.cancellation": {"fr": "Annulation d'ordonnance", "en": "Prescription cancellation"},
    "kind.dispensing": {"fr": "Délivrance", "en": "Dispensing"},
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
    "field.prescriber.email": {"fr": "adresse électronique", "en": "e-mail address"},
    "field.patient.ins_status": {
        "fr": "statut de l'identité (provisional, retrieved, validated, qualified)",
        "en": "identity status (provisional, retrieved, validated, qualified)",
    },
    "field.lines.inn": {"fr": "DCI (dénomination commune)", "en": "INN (generic name)"},
    "field.lines.non_substitutable": {
        "fr": "non substituable (vide, MTE, EFG ou CIF)",
        "en": "not substitutable (empty, MTE, EFG or CIF)",
    },
    "field.reason": {"fr": "motif", "en": "reason"},
    "field.state": {"fr": "délivrance", "en": "dispensing"},
    "field.note": {"fr": "précision", "en": "note"},
    "field.confirmed_by_phone": {
        "fr": "confirmée par téléphone",
        "en": "confirmed by phone",
    },
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
    "field.callback": {
        "fr": "numéro de rappel (vide = votre téléphone)",
        "en": "callback number (empty = your phone)",
    },
    "field.severity": {"fr": "gravité", "en": "severity"},
    "field.allergies": {"fr": "allergies", "en": "allergies"},
    "field.treatments": {"fr": "traitements en cours", "en": "current treatments"},
    "field.contingency": {
        "fr": "conduite à tenir si… (« si ceci, alors cela »)",
        "en": 'contingency ("if this, then that")',
    },
    "field.deadline": {"fr": "échéance", "en": "deadline"},
    "field.home": {"fr": "domicile", "en": "home"},
    "field.home.address": {"fr": "adresse du patient", "en": "patient's address"},
    "field.home.phone": {"fr": "téléphone du patient", "en": "patient's phone"},
    "field.home.next_of_kin": {"fr": "proche à prévenir", "en": "next of kin"},
    "field.home.next_of_kin.name": {"fr": "proche : nom", "en": "next of kin: name"},
    "field.home.next_of_kin.relationship": {
        "fr": "proche : lien (fille, voisin…)",
        "en": "next of kin: relationship (daughter, neighbour…)",
    },
    "field.home.next_of_kin.phone": {"fr": "proche : téléphone", "en": "next of kin: phone"},
    "field.read_back": {"fr": "reformulation", "en": "read-back"},
    "field.version": {"fr": "version du formulaire", "en": "form version"},
    "field.file_name": {"fr": "nom du fichier", "en": "file name"},
    "field.media_type": {"fr": "type de fichier", "en": "file type"},
    "field.size": {"fr": "taille du fichier", "en": "file size"},
    "field.sha256": {"fr": "empreinte SHA-256", "en": "SHA-256 fingerprint"},
    "field.caption": {"fr": "légende", "en": "caption"},
    "form.handoff_intro": {
        "fr": "Transmission SAED. Répondez à chaque question ; Ctrl-C abandonne sans rien envoyer.",
        "en": "SAED handoff. Answer each question; Ctrl-C gives up without sending anything.",
    },
    "form.prescription_intro": {
        "fr": "Ordonnance. Répondez à chaque question ; [entre crochets] la valeur gardée si "
        "vous appuyez sur Entrée ; Ctrl-C abandonne sans rien envoyer. Le prescripteur (nom, "
        "RPPS, adresse, courriel) vient du profil de votre nœud, qui signe l'ordonnance.",
        "en": "Prescription. Answer each question; [in brackets] the value kept if you press "
        "Enter; Ctrl-C gives up without sending anything. The prescriber (name, RPPS, "
        "address, e-mail) comes from your node's profile, which signs the prescription.",
    },
    "form.patient_heading": {"fr": "Patient", "en": "Patient"},
    "form.severity_hint": {
        "fr": "S = stable, A = à surveiller, I = instable",
        "en": "S = stable, W = watcher (may worsen), U = unstable",
    },
    "form.list_hint": {
        "fr": "un élément par ligne, ligne vide pour finir ; « - » = aucune connue ; rien = non "
        "renseigné",
        "en": 'one item a line, an empty line to end; "-" = none known; nothing = not stated',
    },
    "form.deadline_hint": {"fr": "JJ/MM/AAAA HH:MM", "en": "YYYY-MM-DDTHH:MM+01:00"},
    "form.home_question": {
        "fr": "Soins à domicile : adresse, téléphone, proche à prévenir ? (o/N) ",
        "en": "Home care: address, phone, next of kin? (y/N) ",
    },
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
    "show.urgent": {
        "fr": "Priorité : URGENT (accusé de prise en compte demandé)",
        "en": "Priority: URGENT (acknowledgement requested)",
    },
    "show.urgent_mark": {"fr": "[URGENT]", "en": "[URGENT]"},
    "show.escalation": {
        "fr": "ALERTE : un message urgent de {sender} à {recipient}, envoyé le {when}, attend "
        "depuis {minutes} min sans prise en compte.",
        "en": "ALERT: an urgent message from {sender} to {recipient}, sent {when}, has waited "
        "{minutes} min unacknowledged.",
    },
    "show.escalation_hint": {
        "fr": "Vous êtes le contact de secours : appelez {sender} ou le destinataire. Le "
        "contenu du message ne vous est pas transmis.",
        "en": "You are the backup contact: phone {sender} or the recipient. The message's "
        "content is not passed on to you.",
    },
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
    "show.age": {"fr": " ({age} ans)", "en": " ({age} years old)"},
    "show.severity": {"fr": "Gravité : {severity}", "en": "Severity: {severity}"},
    "severity.stable": {"fr": "stable", "en": "stable"},
    "severity.watcher": {"fr": "À SURVEILLER", "en": "WATCHER (may worsen)"},
    "severity.unstable": {"fr": "INSTABLE", "en": "UNSTABLE"},
    "show.callback": {"fr": "Rappeler au : {phone}", "en": "Call back on: {phone}"},
    "show.deadline": {"fr": "Échéance : {when}", "en": "Deadline: {when}"},
    "show.allergies": {"fr": "Allergies : {items}", "en": "Allergies: {items}"},
    "show.treatments": {
        "fr": "Traitements en cours : {items}",
        "en": "Current treatments: {items}",
    },
    "show.not_stated": {"fr": "non renseigné", "en": "not stated"},
    "show.none_known": {"fr": "aucun(e) connu(e)", "en": "none known"},
    "show.home_address": {"fr": "Domicile : {address}", "en": "Home: {address}"},
    "show.home_phone": {"fr": "Téléphone du patient : {phone}", "en": "Patient's phone: {phone}"},
    "show.next_of_kin": {"fr": "Proche : {name}, {phone}", "en": "Next of kin: {name}, {phone}"},
    "show.contingency": {"fr": "Conduite à tenir si…", "en": "Contingency (if… then…)"},
    "show.read_back_in": {
        "fr": "Reformulation du destinataire ({at}) :",
        "en": "Recipient's read-back ({at}):",
    },
    "show.read_back_out": {"fr": "Votre reformulation ({at}) :", "en": "Your read-back ({at}):"},
    "show.read_back_of": {
        "fr": "Reformulation de la transmission {target} :",
        "en": "Read-back of handoff {target}:",
    },
    "kind.read_back": {"fr": "Reformulation", "en": "Read-back"},
    "kind.escalation": {"fr": "Alerte de délai", "en": "Delay alert"},
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
}
