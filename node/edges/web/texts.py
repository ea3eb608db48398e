"""Every sentence of the web client, French first, then English (``{name}`` placeholders are
``str.format`` names, the same in both). Peer-controlled values are only ever placeholders,
escaped by the templates like any other value."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("fr", "en")
DEFAULT_LANGUAGE: Final = "fr"

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "app.name": ("Relève", "Relève"),
    "app.tagline": ("Messagerie de secours des soignants", "Clinicians' fallback messaging"),
    "nav.conversations": ("Conversations", "Conversations"),
    "nav.skip": ("Aller au contenu", "Skip to content"),
    "lang.label": ("Langue", "Language"),
    "lang.apply": ("Changer", "Change"),
    "logout": ("Se déconnecter", "Log out"),
    "notify.enable": ("Activer les notifications", "Turn on notifications"),
    "list.title": ("Conversations", "Conversations"),
    "list.empty": (
        "Aucun contact pour l'instant : appairez-vous avec un confrère (« releve pair invite »).",
        "No contacts yet: pair with a colleague (“releve pair invite”).",
    ),
    "list.unread_one": ("1 non lu", "1 unread"),
    "list.unread_many": ("{count} non lus", "{count} unread"),
    "list.no_messages": ("Aucun message", "No messages"),
    "list.you": ("Vous : ", "You: "),
    "list.inactive": ("plus appairé", "no longer paired"),
    "kind.text": ("Message", "Message"),
    "kind.handoff": ("Transmission (SAED)", "Handoff (SBAR)"),
    "kind.prescription": ("Ordonnance", "Prescription"),
    "kind.attachment": ("Fichier", "File"),
    "kind.cancellation": ("Annulation d'ordonnance", "Prescription cancelled"),
    "kind.dispensing": ("Délivrance", "Dispensing"),
    "banner.incoming_title": ("Messages urgents à acquitter", "Urgent messages to acknowledge"),
    "banner.incoming": (
        "Message urgent de {name}, reçu le {when}",
        "Urgent message from {name}, received {when}",
    ),
    "banner.awaiting_title": (
        "Vos messages urgents pas encore acquittés",
        "Your urgent messages not yet acknowledged",
    ),
    "banner.awaiting": ("À {name}, envoyé le {when}", "To {name}, sent {when}"),
    "banner.overdue": (
        "Sans réponse depuis longtemps : appelez le {phone}",
        "No answer for a while: call {phone}",
    ),
    "banner.overdue_nophone": (
        "Sans réponse depuis longtemps : appelez ce contact",
        "No answer for a while: call this contact",
    ),
    "banner.open": ("Ouvrir la conversation", "Open the conversation"),
    "conv.title": ("Conversation avec {name}", "Conversation with {name}"),
    "conv.page_title": ("Conversation", "Conversation"),
    "conv.older": ("Messages plus anciens", "Older messages"),
    "conv.newest": ("Revenir aux plus récents", "Back to the newest"),
    "conv.empty": ("Aucun message dans cette conversation.", "No messages in this conversation."),
    "conv.inactive": (
        "Ce contact n'est plus appairé : vous ne pouvez plus lui écrire.",
        "This contact is no longer paired: you can no longer write to it.",
    ),
    "conv.unverified": (
        "Numéro de sécurité non vérifié avec ce contact.",
        "Safety number not verified with this contact.",
    ),
    "conv.not_found": ("Ce contact n'existe pas.", "No such contact."),
    "compose.title": ("Écrire", "Write"),
    "compose.text": ("Message", "Message"),
    "compose.priority": ("Priorité", "Priority"),
    "compose.normal": ("Normale", "Normal"),
    "compose.urgent": (
        "Urgente (le destinataire doit acquitter)",
        "Urgent (the recipient must acknowledge)",
    ),
    "compose.send": ("Envoyer", "Send"),
    "compose.replying": ("En réponse au message du {when}", "Replying to the message of {when}"),
    "compose.cancel_reply": ("Ne plus répondre à ce message", "Do not reply to this message"),
    "msg.you": ("Vous", "You"),
    "msg.reply": ("Répondre", "Reply"),
    "msg.ack": ("Acquitter", "Acknowledge"),
    "msg.urgent": ("Urgent", "Urgent"),
    "msg.acknowledged": ("Acquitté le {when}", "Acknowledged {when}"),
    "msg.awaiting_ack": ("Pas encore acquitté", "Not yet acknowledged"),
    "msg.in_reply": ("En réponse au message du {when}", "In reply to the message of {when}"),
    "msg.sent_at": ("Envoyé le {when}", "Sent {when}"),
    "msg.received_at": ("Reçu le {when}", "Received {when}"),
    "msg.state": ("État :", "State:"),
    "status.queued": ("en attente d'envoi", "waiting to be sent"),
    "status.delivered": ("remis", "delivered"),
    "status.read": ("lu", "read"),
    "status.failed": ("échec : non remis", "failed: not delivered"),
    "status.received": ("reçu", "received"),
    "status.held": (
        "retenu (clé du contact changée, à vérifier)",
        "held (the contact's key changed: verify it)",
    ),
    "patient.title": ("Patient :", "Patient:"),
    "patient.born": ("né(e) le {date}", "born {date}"),
    "patient.sex.F": ("femme", "female"),
    "patient.sex.M": ("homme", "male"),
    "patient.sex.U": ("sexe inconnu", "sex unknown"),
    "patient.ins": ("INS {ins}", "INS {ins}"),
    "patient.weight": ("{weight} kg", "{weight} kg"),
    "handoff.situation": ("Situation", "Situation"),
    "handoff.background": ("Antécédents", "Background"),
    "handoff.assessment": ("Évaluation", "Assessment"),
    "handoff.request": ("Demande", "Request"),
    "rx.date": ("Ordonnance du {date}", "Prescription of {date}"),
    "rx.prescriber": ("Prescripteur : {name}, RPPS {rpps}", "Prescriber: {name}, RPPS {rpps}"),
    "rx.signature.verified": ("Signature vérifiée", "Signature verified"),
    "rx.signature.signed": ("Signée par ce poste", "Signed by this node"),
    "rx.signature.unsigned": ("Non signée (ancienne version)", "Unsigned (older version)"),
    "rx.line": ("{medicine} ({inn}) {strength}", "{medicine} ({inn}) {strength}"),
    "rx.dosage": ("Posologie : {text}", "Dosage: {text}"),
    "rx.duration": ("Durée : {text}", "Duration: {text}"),
    "rx.quantity": ("Quantité : {text}", "Quantity: {text}"),
    "rx.renewals": ("Renouvellements : {count}", "Renewals: {count}"),
    "rx.non_substitutable": ("Non substituable ({code})", "Not substitutable ({code})"),
    "rx.notes": ("Notes : {text}", "Notes: {text}"),
    "rx.valid_until": ("Valable jusqu'au {date}", "Valid until {date}"),
    "rx.state.active": ("En cours", "Active"),
    "rx.state.cancelled": ("Annulée : {reason}", "Cancelled: {reason}"),
    "rx.state.replaced": (
        "Remplacée par une nouvelle ordonnance",
        "Replaced by a new prescription",
    ),
    "rx.expired": ("Expirée sans délivrance", "Expired, not dispensed"),
    "cancel.reason": ("Motif : {reason}", "Reason: {reason}"),
    "dispense.dispensed": ("Délivrée", "Dispensed"),
    "dispense.partly_dispensed": ("Délivrée en partie", "Partly dispensed"),
    "dispense.refused": ("Refusée", "Refused"),
    "dispense.note": ("Note : {text}", "Note: {text}"),
    "dispense.phone": (
        "Confirmée par téléphone avec le prescripteur",
        "Confirmed by phone with the prescriber",
    ),
    "file.summary": ("{kind}, {size}", "{kind}, {size}"),
    "file.download": ("Enregistrer le fichier", "Save the file"),
    "file.progress": ("{done} morceaux sur {chunks}", "{done} of {chunks} parts"),
    "file.corrupt": ("Fichier endommagé : demandez-le à nouveau", "File damaged: ask for it again"),
    "file.caption": ("Légende : {text}", "Caption: {text}"),
    "error.text_required": (
        "Écrivez un message avant d'envoyer.",
        "Write a message before sending.",
    ),
    "error.text_too_long": ("Ce message est trop long.", "This message is too long."),
    "error.contact_inactive": (
        "Ce contact n'est plus appairé : le message n'est pas parti.",
        "This contact is no longer paired: the message was not sent.",
    ),
    "error.invalid_field": (
        "Ce message contient des caractères refusés (caractères de contrôle).",
        "This message holds characters that are refused (control characters).",
    ),
    "error.store_unavailable": (
        "Le poste n'a pas pu enregistrer (disque plein ?) : rien n'est parti, réessayez.",
        "The node could not save (disk full?): nothing was sent, try again.",
    ),
    "error.other": ("L'envoi a échoué ({code}).", "Sending failed ({code})."),
    "error.title": ("Erreur", "Error"),
    "auth.title": ("Connexion nécessaire", "Please log in"),
    "auth.body": (
        "Ouvrez Relève depuis un terminal avec la commande « releve ouvrir » : elle ouvre ce "
        "navigateur, connecté.",
        "Open Relève from a terminal with the command “releve open”: it opens this browser, "
        "logged in.",
    ),
    "auth.expired": (
        "Ce lien de connexion a expiré ou a déjà servi. Lancez « releve ouvrir » pour en "
        "obtenir un nouveau.",
        "This login link has expired or was already used. Run “releve open” to get a new one.",
    ),
    "forbidden.title": ("Demande refusée", "Request refused"),
    "forbidden.body": (
        "Cette demande ne vient pas d'une page de Relève ouverte ici : rien n'a été fait. "
        "Rechargez la page et recommencez.",
        "This request did not come from a Relève page opened here: nothing was done. "
        "Reload the page and try again.",
    ),
    "misdirected.title": ("Adresse refusée", "Address refused"),
    "misdirected.body": (
        "Relève répond seulement à l'adresse que « releve ouvrir » donne.",
        "Relève only answers at the address “releve open” gives.",
    ),
    "notfound.title": ("Page introuvable", "Page not found"),
    "notfound.body": ("Cette page n'existe pas.", "This page does not exist."),
    "back": ("Retour aux conversations", "Back to the conversations"),
    "notice.new": ("Nouveau message de {name}", "New message from {name}"),
    "notice.urgent": ("Nouveau message urgent de {name}", "New urgent message from {name}"),
    "size.bytes": ("{n} octets", "{n} bytes"),
    "size.kib": ("{n} Ko", "{n} KiB"),
    "size.mib": ("{n} Mo", "{n} MiB"),
}


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def text(lang: str, key: str, **values: object) -> str:
    """``key``'s sentence; a code the node added since (a new status) reads as itself."""
    if key not in TEXTS:
        return key.rsplit(".", 1)[-1].replace("_", " ")
    french, english = TEXTS[key]
    template = english if lang == "en" else french
    return template.format(**values) if values else template
