"""The sentences of the compose forms (handoff, prescription, file) and their review,
French first, then English."""

from __future__ import annotations

from typing import Final

COMPOSE: Final[dict[str, tuple[str, str]]] = {
    # --- links from the conversation ---
    "cl.title": ("Autres envois", "Other messages"),
    "cl.handoff": ("Transmission", "Handoff"),
    "cl.prescription": ("Ordonnance", "Prescription"),
    "cl.file": ("Fichier", "File"),
    # --- the forms ---
    "cf.back": ("Retour à la conversation avec {name}", "Back to the conversation with {name}"),
    "cf.handoff_title": ("Transmission", "Handoff"),
    "cf.handoff_heading": ("Transmission (SAED) à {name}", "Handoff (SBAR) to {name}"),
    "cf.rx_title": ("Ordonnance", "Prescription"),
    "cf.rx_heading": ("Ordonnance pour {name}", "Prescription for {name}"),
    "cf.amend_heading": (
        "Modifier l'ordonnance envoyée à {name}",
        "Amend the prescription sent to {name}",
    ),
    "cf.amend_intro": (
        "Elle remplacera l'ordonnance du {date}, qui sera marquée « remplacée » des deux côtés.",
        "It will replace the prescription of {date}, marked “replaced” on both sides.",
    ),
    "cf.amendment": ("modification", "amendment"),
    "cf.intro": (
        "Chaque champ est vérifié par le poste pendant la saisie. Vous relirez tout avant l'envoi.",
        "The node checks each field as you fill it in. You will review everything before sending.",
    ),
    "cf.rx_intro": (
        "Le prescripteur (nom, RPPS, adresse, téléphone, e-mail) vient du profil de ce poste ; "
        "l'ordonnance est signée. Vous la relirez avant l'envoi.",
        "The prescriber (name, RPPS, address, phone, e-mail) comes from this node's profile; "
        "the prescription is signed. You will review it before sending.",
    ),
    "cf.rx_intro_clinic": (
        "Le prescripteur vient de votre compte (nom, RPPS) et du profil du cabinet (adresse, "
        "téléphone, e-mail) ; l'ordonnance part de votre boîte personnelle, signée. Vous la "
        "relirez avant l'envoi.",
        "The prescriber comes from your account (name, RPPS) and the practice's profile "
        "(address, phone, e-mail); the prescription leaves from your personal mailbox, signed. "
        "You will review it before sending.",
    ),
    "cf.required": ("(obligatoire)", "(required)"),
    "cf.choose": ("— choisir —", "— choose —"),
    "cf.summary": (
        "Le poste refuse {count} champ(s) : corrigez-les puis relisez.",
        "The node refuses {count} field(s): correct them, then review.",
    ),
    "cf.in_line": ("Ligne {number} – {label}", "Line {number} – {label}"),
    "cf.patient": ("Patient", "Patient"),
    "cf.birth_name": ("Nom de naissance", "Birth name"),
    "cf.first_names": ("Prénoms", "First names"),
    "cf.birth_date": ("Date de naissance", "Date of birth"),
    "cf.sex": ("Sexe", "Sex"),
    "cf.ins": ("INS (matricule INS, 15 chiffres)", "INS (15 digits)"),
    "cf.ins_hint": (
        "Facultatif ; seulement si l'identité est qualifiée.",
        "Optional; only for a qualified identity.",
    ),
    "cf.ins_status": ("Statut de l'identité", "Identity status"),
    "cf.ins_status_hint": (
        "Un INS ne part qu'avec une identité qualifiée.",
        "An INS is only sent with a qualified identity.",
    ),
    "cf.weight": ("Poids (kg)", "Weight (kg)"),
    "cf.weight_hint": (
        "Obligatoire sur une ordonnance pour un enfant de moins de 15 ans.",
        "Required on a prescription for a child under 15.",
    ),
    "cf.saed": ("SAED", "SBAR"),
    "cf.situation_hint": ("Pourquoi ce patient, maintenant.", "Why this patient, now."),
    "cf.background_hint": ("Antécédents et contexte utiles.", "Relevant history and context."),
    "cf.assessment_hint": ("Ce que vous en pensez.", "What you make of it."),
    "cf.request_hint": (
        "Ce que vous attendez du destinataire.",
        "What you expect from the recipient.",
    ),
    "cf.follow_up": ("Suite de la prise en charge", "Follow-up"),
    "cf.callback_hint": (
        "Vide : le numéro de ce poste ({phone}).",
        "Empty: this node's number ({phone}).",
    ),
    "cf.callback_hint_none": (
        "Ce poste n'a pas de numéro dans son profil : indiquez-en un.",
        "This node has no phone number in its profile: give one.",
    ),
    "cf.deadline_hint": ("Heure de Paris. Facultatif.", "Paris time. Optional."),
    "cf.items_hint": (
        "Une par ligne. Vide : non renseigné.",
        "One per line. Empty: not stated.",
    ),
    "cf.allergies_none": ("Aucune allergie connue", "No known allergy"),
    "cf.treatments_none": ("Aucun traitement en cours", "No current treatment"),
    "cf.contingency_hint": (
        "« Si … alors … » : ce qu'il faut faire si la situation change.",
        "“If … then …”: what to do if things change.",
    ),
    "cf.home": ("Domicile (soins à domicile)", "Home (home care)"),
    "cf.home_hint": ("Facultatif.", "Optional."),
    "cf.kin_name": ("Proche à prévenir : nom", "Next of kin: name"),
    "cf.kin_relationship": ("Proche : lien", "Next of kin: relationship"),
    "cf.kin_phone": ("Proche : téléphone", "Next of kin: phone"),
    "cf.rx_date": ("Date de l'ordonnance", "Prescription date"),
    "cf.line": ("Ligne {number}", "Line {number}"),
    "cf.medicine": ("Médicament", "Medicine"),
    "cf.inn": ("DCI", "INN"),
    "cf.inn_hint": (
        "Dénomination commune, obligatoire même à côté d'un nom de marque.",
        "International non-proprietary name, required even beside a brand name.",
    ),
    "cf.strength": ("Dosage", "Strength"),
    "cf.strength_hint": ("Par exemple « 500 mg ».", "For example “500 mg”."),
    "cf.dosage": ("Posologie", "Dosage"),
    "cf.duration": ("Durée", "Duration"),
    "cf.duration_hint": (
        "Par exemple « 7 jours », « 3 mois ». Une durée ou une quantité.",
        "For example “7 days”, “3 months”. A duration or a quantity.",
    ),
    "cf.quantity": ("Quantité", "Quantity"),
    "cf.quantity_hint": ("Par exemple « 1 boîte ».", "For example “1 box”."),
    "cf.renewals": ("Renouvellements", "Renewals"),
    "cf.renewals_hint": ("De 0 à {most}.", "From 0 to {most}."),
    "cf.non_substitutable": ("Non substituable", "Not substitutable"),
    "cf.ns_hint": ("Vide : substituable.", "Empty: substitutable."),
    "cf.ns.MTE": (
        "MTE – marge thérapeutique étroite",
        "MTE – narrow therapeutic margin",
    ),
    "cf.ns.EFG": (
        "EFG – enfant de moins de 6 ans, pas de générique adapté",
        "EFG – child under 6, no suitable generic",
    ),
    "cf.ns.CIF": (
        "CIF – contre-indication formelle à un excipient",
        "CIF – formal contraindication to an excipient",
    ),
    "cf.add_line": ("Ajouter une ligne", "Add a line"),
    "cf.remove_line": ("Retirer la ligne {number}", "Remove line {number}"),
    "cf.notes": ("Notes pour le pharmacien", "Notes for the pharmacist"),
    "cf.review": ("Relire avant l'envoi", "Review before sending"),
    "cf.review_title": ("Relecture", "Review"),
    "cf.review_heading": ("Relisez avant d'envoyer à {name}", "Review before sending to {name}"),
    "cf.review_intro": (
        "Voici exactement ce que le destinataire recevra. Rien d'autre ne partira.",
        "This is exactly what the recipient will receive. Nothing else will be sent.",
    ),
    "cf.review_to": ("Destinataire : {name}", "To: {name}"),
    "cf.review_to_mailbox": ("Destinataire : {name} — {mailbox}", "To: {name} — {mailbox}"),
    "cf.review_to_default": (
        "Destinataire : {name} — sa boîte par défaut",
        "To: {name} — its default mailbox",
    ),
    "cf.review_from": ("Depuis la boîte : {mailbox}", "From the mailbox: {mailbox}"),
    "cf.mailboxes": ("Boîtes", "Mailboxes"),
    "cf.send": ("Envoyer", "Send"),
    "cf.edit": ("Modifier", "Edit"),
    "cf.altered_title": ("Envoi refusé", "Not sent"),
    "cf.altered_body": (
        "Le contenu envoyé n'est pas celui que vous avez relu : rien n'est parti.",
        "What was sent back is not what you reviewed: nothing was sent.",
    ),
    "cf.altered_again": ("Recommencer", "Start again"),
    # --- field names (the node's field paths), for the error summary ---
    "cfield.patient": ("Patient", "Patient"),
    "cfield.patient.birth_name": ("Nom de naissance", "Birth name"),
    "cfield.patient.first_names": ("Prénoms", "First names"),
    "cfield.patient.birth_date": ("Date de naissance", "Date of birth"),
    "cfield.patient.sex": ("Sexe", "Sex"),
    "cfield.patient.ins": ("INS", "INS"),
    "cfield.patient.ins_status": ("Statut de l'identité", "Identity status"),
    "cfield.patient.weight_kg": ("Poids", "Weight"),
    "cfield.situation": ("Situation", "Situation"),
    "cfield.background": ("Antécédents", "Background"),
    "cfield.assessment": ("Évaluation", "Assessment"),
    "cfield.request": ("Demande", "Request"),
    "cfield.callback": ("Rappeler au", "Call back on"),
    "cfield.severity": ("Gravité", "Severity"),
    "cfield.allergies": ("Allergies", "Allergies"),
    "cfield.treatments": ("Traitements en cours", "Current treatments"),
    "cfield.contingency": ("Si … alors …", "If … then …"),
    "cfield.deadline": ("À faire avant", "Due by"),
    "cfield.home": ("Domicile", "Home"),
    "cfield.home.address": ("Adresse du domicile", "Home address"),
    "cfield.home.phone": ("Téléphone du domicile", "Home phone"),
    "cfield.home.next_of_kin": ("Proche à prévenir", "Next of kin"),
    "cfield.home.next_of_kin.name": ("Proche : nom", "Next of kin: name"),
    "cfield.home.next_of_kin.relationship": ("Proche : lien", "Next of kin: relationship"),
    "cfield.home.next_of_kin.phone": ("Proche : téléphone", "Next of kin: phone"),
    "cfield.date": ("Date de l'ordonnance", "Prescription date"),
    "cfield.lines": ("Lignes", "Lines"),
    "cfield.lines.medicine": ("médicament", "medicine"),
    "cfield.lines.inn": ("DCI", "INN"),
    "cfield.lines.strength": ("dosage", "strength"),
    "cfield.lines.dosage": ("posologie", "dosage"),
    "cfield.lines.duration": ("durée", "duration"),
    "cfield.lines.quantity": ("quantité", "quantity"),
    "cfield.lines.renewals": ("renouvellements", "renewals"),
    "cfield.lines.non_substitutable": ("non substituable", "not substitutable"),
    "cfield.notes": ("Notes", "Notes"),
    "cfield.message": ("Message", "Message"),
    # --- the node's reason codes (docs/local-api.md, "Errors") ---
    "reason.required": ("Champ obligatoire.", "Required."),
    "reason.too_long": ("Trop long.", "Too long."),
    "reason.invalid_date": ("Date invalide.", "Invalid date."),
    "reason.future_date": ("Date dans le futur.", "Date in the future."),
    "reason.prescription_expired": (
        "Ordonnance datée de plus de 3 mois : elle ne peut plus être délivrée (R.5132-22).",
        "Prescription dated more than 3 months ago: it can no longer be dispensed (R.5132-22).",
    ),
    "reason.invalid_ins": (
        "INS invalide : 15 chiffres (13 + clé de 2).",
        "Invalid INS: 15 digits (13 + a 2-digit key).",
    ),
    "reason.ins_key": ("La clé de l'INS ne correspond pas.", "The INS key does not match."),
    "reason.ins_mismatch": (
        "L'INS ne correspond pas au sexe ou au mois et à l'année de naissance.",
        "The INS does not match the sex or the month and year of birth.",
    ),
    "reason.ins_not_qualified": (
        "Un INS ne s'envoie qu'avec une identité qualifiée.",
        "An INS is only sent with a qualified identity.",
    ),
    "reason.invalid_rpps": ("RPPS invalide (11 chiffres).", "Invalid RPPS (11 digits)."),
    "reason.rpps_key": ("La clé du RPPS ne correspond pas.", "The RPPS key does not match."),
    "reason.invalid_phone": (
        "Numéro invalide (6 à 20 chiffres ; espaces, points, + et - permis).",
        "Invalid number (6 to 20 digits; spaces, dots, + and - allowed).",
    ),
    "reason.invalid_email": ("Adresse e-mail invalide.", "Invalid e-mail address."),
    "reason.invalid_sex": ("Sexe invalide.", "Invalid sex."),
    "reason.weight_required": (
        "Poids obligatoire pour un enfant de moins de 15 ans.",
        "Weight required for a child under 15.",
    ),
    "reason.invalid_weight": (
        "Poids invalide (en kg, jusqu'à 500).",
        "Invalid weight (in kg, up to 500).",
    ),
    "reason.invalid_number": (
        "Nombre invalide ou hors limites.",
        "Invalid or out-of-range number.",
    ),
    "reason.duration_or_quantity": (
        "Indiquez une durée ou une quantité.",
        "Give a duration or a quantity.",
    ),
    "reason.invalid_duration": (
        "Durée illisible : un nombre et une unité (« 7 jours », « 3 mois »).",
        "Unreadable duration: a number and a unit (“7 days”, “3 months”).",
    ),
    "reason.treatment_too_long": (
        "Plus de douze mois de traitement, renouvellements compris (R.5132-21).",
        "More than twelve months of treatment, renewals included (R.5132-21).",
    ),
    "reason.narcotic": (
        "Stupéfiant : il faut une ordonnance sécurisée papier (R.5132-5), pas Relève.",
        "Narcotic: a secure paper prescription is required (R.5132-5), not Relève.",
    ),
    "reason.too_many": ("Trop d'éléments.", "Too many items."),
    "reason.invalid_choice": ("Choix invalide.", "Invalid choice."),
    "reason.invalid_type": ("Valeur invalide.", "Invalid value."),
    "reason.invalid_text": (
        "Caractères refusés (caractères de contrôle ou invisibles).",
        "Characters refused (control or invisible characters).",
    ),
    "reason.unknown_field": ("Champ inconnu.", "Unknown field."),
    "reason.invalid_id": ("Identifiant invalide.", "Invalid id."),
    "reason.prescriber_from_profile": (
        "Le prescripteur vient du profil du poste.",
        "The prescriber comes from the node's profile.",
    ),
    "reason.other": ("Refusé par le poste.", "Refused by the node."),
    "reason.mailbox_not_found": (
        "Ce contact n'a pas (ou plus) cette boîte : choisissez-en une autre.",
        "This contact has no such mailbox (any more): choose another.",
    ),
    "reason.mailbox_forbidden": (
        "Vous n'êtes pas dans cette boîte : rien n'est parti.",
        "You are not in this mailbox: nothing was sent.",
    ),
    "reason.mailbox_not_signer": (
        "Une ordonnance ne part que de votre boîte personnelle de médecin (avec votre RPPS) : "
        "rien n'est parti.",
        "A prescription leaves only from your personal mailbox as a physician (with your "
        "RPPS): nothing was sent.",
    ),
    "cfield.to_mailbox": ("Boîte du destinataire", "Recipient's mailbox"),
    "cfield.from_mailbox": ("Boîte d'envoi", "Sending mailbox"),
    # --- refusals of a whole form or action (the node's codes) ---
    "refusal.not_prescriber": (
        "Ce poste n'est pas celui d'un médecin : il ne peut pas signer d'ordonnance.",
        "This node is not a physician's: it cannot sign a prescription.",
    ),
    "refusal.prescriber_incomplete": (
        "Le profil de prescripteur de ce poste est incomplet (« releve init ») : "
        "il ne peut pas signer.",
        "This node's prescriber profile is incomplete (“releve init”): it cannot sign.",
    ),
    "refusal.not_pharmacist": (
        "Seul le poste d'un pharmacien déclare une délivrance.",
        "Only a pharmacist's node reports dispensing.",
    ),
    "refusal.not_own_prescription": (
        "Seule une ordonnance signée par ce poste peut être modifiée ou annulée.",
        "Only a prescription signed by this node can be amended or cancelled.",
    ),
    "refusal.prescription_closed": (
        "Cette ordonnance est déjà annulée ou remplacée.",
        "This prescription is already cancelled or replaced.",
    ),
    "refusal.prescription_failed": (
        "Cette ordonnance n'est jamais arrivée.",
        "This prescription never arrived.",
    ),
    "refusal.not_received": (
        "Une délivrance se déclare sur une ordonnance reçue.",
        "Dispensing is reported on a received prescription.",
    ),
    "refusal.prescription_not_found": (
        "Ce n'est pas une ordonnance.",
        "This is not a prescription.",
    ),
    "refusal.not_handoff": (
        "Une relecture répond à une transmission reçue.",
        "A read-back answers a received handoff.",
    ),
    "refusal.not_urgent": ("Ce message n'est pas urgent.", "This message is not urgent."),
    "refusal.contact_inactive": (
        "Ce contact n'est plus appairé : rien n'est parti.",
        "This contact is no longer paired: nothing was sent.",
    ),
    "refusal.contact_not_found": ("Ce contact n'existe plus.", "This contact is gone."),
    "refusal.text_too_long": ("Trop long pour un message.", "Too long for one message."),
    "refusal.too_long": ("Trop long pour un message.", "Too long for one message."),
    "refusal.store_unavailable": (
        "Le poste n'a pas pu enregistrer (disque plein ?) : rien n'est parti, réessayez.",
        "The node could not save (disk full?): nothing was sent, try again.",
    ),
    "refusal.invalid_field": ("Un champ est refusé.", "A field is refused."),
    "refusal.bad_request": ("Demande invalide.", "Invalid request."),
    "refusal.forbidden": (
        "Vous ne pouvez pas envoyer ceci depuis cette boîte : rien n'est parti.",
        "You may not send this from this mailbox: nothing was sent.",
    ),
    # --- handoff version 2 as shown ---
    "hv2.severity": ("Gravité", "Severity"),
    "hv2.severity.stable": ("Stable", "Stable"),
    "hv2.severity.watcher": ("À surveiller", "Watcher"),
    "hv2.severity.unstable": ("Instable", "Unstable"),
    "hv2.callback": ("Rappeler au", "Call back on"),
    "hv2.deadline": ("À faire avant", "Due by"),
    "hv2.allergies": ("Allergies", "Allergies"),
    "hv2.treatments": ("Traitements en cours", "Current treatments"),
    "hv2.not_stated": ("Non renseigné", "Not stated"),
    "hv2.none_known": ("Aucun(e) connu(e)", "None known"),
    "hv2.contingency": ("Si … alors …", "If … then …"),
    "hv2.home_address": ("Adresse du domicile", "Home address"),
    "hv2.home_phone": ("Téléphone du domicile", "Home phone"),
    "hv2.next_of_kin": ("Proche à prévenir", "Next of kin"),
    "hv2.read_back_in": (
        "Relecture du destinataire ({when}) :",
        "The recipient's read-back ({when}):",
    ),
    "hv2.read_back_out": ("Votre relecture ({when}) :", "Your read-back ({when}):"),
    "kind.read_back": ("Relecture de transmission", "Handoff read-back"),
    # --- a prescription's lifecycle ---
    "rxl.banner.cancelled": ("ANNULÉE", "CANCELLED"),
    "rxl.banner.replaced": ("REMPLACÉE", "REPLACED"),
    "rxl.prescriber_contact": (
        "{specialty} — {address} — {phone} — {email}",
        "{specialty} — {address} — {phone} — {email}",
    ),
    "rxl.ins_status": ("Identité : {status}", "Identity: {status}"),
    "rxl.ins_status.provisional": ("provisoire", "provisional"),
    "rxl.ins_status.retrieved": ("récupérée", "retrieved"),
    "rxl.ins_status.validated": ("validée", "validated"),
    "rxl.ins_status.qualified": ("qualifiée", "qualified"),
    "rxl.amend": ("Modifier l'ordonnance", "Amend the prescription"),
    "rxl.cancel": ("Annuler l'ordonnance", "Cancel the prescription"),
    "rxl.dispense": ("Déclarer la délivrance", "Report dispensing"),
    "rxl.read_back": ("Relire et acquitter", "Read back and acknowledge"),
    "act.cancel.title": ("Annuler une ordonnance", "Cancel a prescription"),
    "act.cancel.reason": ("Motif de l'annulation", "Reason for cancelling"),
    "act.cancel.confirm": ("Annuler l'ordonnance (signé)", "Cancel the prescription (signed)"),
    "act.dispense.title": ("Déclarer la délivrance", "Report dispensing"),
    "act.dispense.state": ("Délivrance", "Dispensing"),
    "act.dispense.note": ("Note au prescripteur", "Note to the prescriber"),
    "act.dispense.note_hint": (
        "Facultatif ; obligatoire pour un refus ou une délivrance partielle si le poste l'exige.",
        "Optional; the node may require it for a refusal or a partial dispensing.",
    ),
    "act.dispense.confirm": ("Envoyer au prescripteur", "Send to the prescriber"),
    "act.read_back.title": ("Relire une transmission", "Read a handoff back"),
    "act.read_back.text": ("Votre relecture", "Your read-back"),
    "act.read_back.hint": (
        "Reformulez ce que vous avez compris : l'expéditeur la verra sous sa transmission.",
        "Say back what you understood: the sender sees it under the handoff.",
    ),
    "act.read_back.confirm": ("Envoyer la relecture", "Send the read-back"),
    # --- printing and export ---
    "print.link": ("Imprimer", "Print"),
    # --- sending a file (screens/files.py) ---
    "upload.title": ("Envoyer un fichier", "Send a file"),
    "upload.heading": ("Envoyer un fichier à {name}", "Send a file to {name}"),
    "upload.intro": (
        "Un PDF ou une image (JPEG, PNG, TIFF, GIF, WebP, HEIC), jusqu'à {mib} Mio. Il part "
        "chiffré, en morceaux, et la conversation montre sa remise.",
        "A PDF or an image (JPEG, PNG, TIFF, GIF, WebP, HEIC), up to {mib} MiB. It leaves "
        "encrypted, in parts, and the conversation shows its delivery.",
    ),
    "upload.caption": ("Légende", "Caption"),
    "upload.caption_hint": (
        "Facultatif, au plus {max} caractères.",
        "Optional, at most {max} characters.",
    ),
    "upload.file": ("Fichier", "File"),
    "upload.file_hint": (
        "Son type est reconnu à son contenu, pas à son nom. {mib} Mio au plus.",
        "Its type is recognised by its content, not its name. {mib} MiB at most.",
    ),
    "upload.progress": ("Envoi au poste", "Upload to the node"),
    "upload.send": ("Envoyer le fichier", "Send the file"),
    "upload.sending": (
        "Envoi du fichier au poste : {percent} %",
        "Uploading the file: {percent} %",
    ),
    "upload.queued": (
        "Fichier reçu par le poste : il part vers le contact.",
        "File taken by the node: it is on its way to the contact.",
    ),
    "upload.failed": (
        "L'envoi au poste a échoué : réessayez.",
        "The upload to the node failed: try again.",
    ),
    "upload.error.file_missing": ("Choisissez un fichier.", "Choose a file."),
    "upload.error.too_large": (
        "Fichier trop gros : {mib} Mio au plus.",
        "File too large: {mib} MiB at most.",
    ),
    "upload.error.invalid_media_type": (
        "Ce fichier n'est ni un PDF ni une image reconnue (JPEG, PNG, TIFF, GIF, WebP, HEIC).",
        "This file is neither a PDF nor a known image (JPEG, PNG, TIFF, GIF, WebP, HEIC).",
    ),
    "upload.error.invalid_name": (
        'Nom de fichier refusé : renommez le fichier (sans / \\ : * ? " < > |).',
        'File name refused: rename the file (without / \\ : * ? " < > |).',
    ),
    "upload.error.too_long": (
        "Le nom du fichier ou la légende est trop long.",
        "The file name or the caption is too long.",
    ),
    "upload.error.invalid_text": (
        "La légende contient des caractères refusés.",
        "The caption holds characters that are refused.",
    ),
    "upload.error.contact_inactive": (
        "Ce contact n'est plus appairé : rien n'a été envoyé.",
        "This contact is no longer paired: nothing was sent.",
    ),
    "upload.error.store_unavailable": (
        "Le poste n'a pas pu enregistrer le fichier : réessayez dans un instant.",
        "The node could not store the file: try again in a moment.",
    ),
    "upload.error.upload_broken": (
        "Le fichier n'est pas arrivé entier : réessayez.",
        "The file did not arrive whole: try again.",
    ),
    "upload.error.forbidden": (
        "Vous n'êtes pas dans cette boîte : rien n'a été envoyé.",
        "You are not in this mailbox: nothing was sent.",
    ),
    "upload.error.mailbox_not_found": (
        "Ce contact n'a pas (ou plus) cette boîte : choisissez-en une autre.",
        "This contact has no such mailbox (any more): choose another.",
    ),
    "upload.error.other": ("Fichier refusé par le poste.", "File refused by the node."),
    "file.transfer_out": (
        "Remis au contact : {done} morceau(x) sur {chunks}",
        "Delivered to the contact: {done} of {chunks} part(s)",
    ),
    "file.transfer_in": (
        "Reçu : {done} morceau(x) sur {chunks}",
        "Received: {done} of {chunks} part(s)",
    ),
    # --- a backup contact's notice (protocol.md §18.9) ---
    "kind.escalation": ("Alerte de délai", "Delay alert"),
    "escalation.text": (
        "ALERTE : un message urgent de {sender} à {recipient}, envoyé le {when}, attend depuis "
        "{minutes} min sans être acquitté.",
        "ALERT: an urgent message from {sender} to {recipient}, sent {when}, has waited "
        "{minutes} min unacknowledged.",
    ),
    "escalation.hint": (
        "Vous êtes le contact de secours : appelez {sender} ou le destinataire. Le contenu du "
        "message ne vous est pas transmis.",
        "You are the backup contact: phone {sender} or the recipient. The message's content "
        "is not passed on to you.",
    ),
}
