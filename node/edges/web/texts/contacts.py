"""The sentences of contacts and pairing, French first, then English (screens/contacts.py,
screens/pairing.py). Every key starts with ``contacts.``, ``pair.`` or ``nav.contacts``."""

from __future__ import annotations

from typing import Final

_ROLES: Final = {
    "contacts.role.other": ("autre", "other"),
    "contacts.role.gp": ("médecin généraliste", "general practitioner"),
    "contacts.role.pharmacist": ("pharmacien", "pharmacist"),
    "contacts.role.practice": ("cabinet médical", "medical practice"),
    "contacts.role.nurse": ("infirmier ou infirmière", "nurse"),
    "contacts.role.specialist": ("médecin spécialiste", "specialist"),
    "contacts.role.laboratory": ("laboratoire", "laboratory"),
}

_LIST: Final = {
    "nav.contacts": ("Contacts", "Contacts"),
    "contacts.page_title": ("Contacts", "Contacts"),
    "contacts.title": ("Contacts", "Contacts"),
    "contacts.caption": ("Vos contacts appairés", "Your paired contacts"),
    "contacts.pair_link": ("Appairer un contact (QR code)", "Pair with a contact (QR code)"),
    "contacts.phone_link": ("Appairer par téléphone", "Pair by phone"),
    "contacts.none": (
        "Aucun contact pour l'instant : appairez-vous avec un confrère (« Appairer un contact »).",
        "No contacts yet: pair with a colleague (“Pair with a contact”).",
    ),
    "contacts.col.name": ("Nom", "Name"),
    "contacts.col.role": ("Rôle", "Role"),
    "contacts.col.trust": ("Numéro de sécurité", "Safety number"),
    "contacts.col.state": ("Appairage", "Pairing"),
    "contacts.col.reached": ("Dernier contact", "Last reached"),
    "contacts.verified": ("vérifié", "verified"),
    "contacts.unverified": ("non vérifié", "not verified"),
    "contacts.key_changed_short": (
        "clé changée : à vérifier",
        "key changed: verify it",
    ),
    "contacts.state.active": ("actif", "active"),
    "contacts.state.unpaired": ("terminé (par vous)", "ended (by you)"),
    "contacts.state.unpaired_by_peer": ("terminé par ce contact", "ended by this contact"),
    "contacts.state.revoked": (
        "votre ancienne identité est révoquée : appairez-vous de nouveau",
        "your former identity is revoked: pair again",
    ),
    "contacts.state.revoked_by_peer": (
        "clé révoquée par ce contact (poste perdu ou volé)",
        "key revoked by this contact (lost or stolen machine)",
    ),
    "contacts.heard": ("Dernier message reçu : {when}", "Last message received: {when}"),
    "contacts.delivered": (
        "Dernier message remis : {when}",
        "Last message delivered: {when}",
    ),
    "contacts.never": ("Aucun échange encore", "No exchange yet"),
    "contacts.pending": (
        "{count} message(s) en attente d'envoi",
        "{count} message(s) waiting to be sent",
    ),
    "contacts.failed": ("{count} message(s) non remis", "{count} message(s) not delivered"),
    "contacts.admin_title": ("Ce poste", "This node"),
    "contacts.own_id": ("Identifiant de ce poste : {node_id}", "This node's id: {node_id}"),
    "contacts.revoke_link": (
        "Poste perdu ou volé ? Révoquer l'identité de ce poste",
        "Machine lost or stolen? Revoke this node's identity",
    ),
    "contacts.back": ("Retour aux contacts", "Back to the contacts"),
}

_ONE: Final = {
    "contacts.c.page_title": ("Contact", "Contact"),
    "contacts.c.title": ("{name}", "{name}"),
    "contacts.c.node_id": ("Identifiant", "Node id"),
    "contacts.c.paired_at": ("Appairé le", "Paired"),
    "contacts.c.paths": ("Adresses", "Addresses"),
    "contacts.c.relay": ("(relais)", "(relay)"),
    "contacts.c.no_path": ("aucune adresse connue", "no known address"),
    "contacts.c.paired.accepted": (
        "Contact ajouté : {name} ({role})",
        "Contact added: {name} ({role})",
    ),
    "contacts.c.paired.invited": (
        "{name} ({role}) a accepté votre invitation",
        "{name} ({role}) accepted your invitation",
    ),
    "contacts.c.paired.phone": ("Appairé avec {name} ({role})", "Paired with {name} ({role})"),
    "contacts.c.paired.phone_unconfirmed": (
        "Contact ajouté : {name} ({role}). Son poste n'a pas encore confirmé : l'appairage se "
        "termine dès qu'il reçoit la réponse.",
        "Contact added: {name} ({role}). Their machine has not confirmed yet: the pairing "
        "completes as soon as it receives the answer.",
    ),
    "contacts.c.compare_hint": (
        "Comparez maintenant le numéro de sécurité ci-dessous avec votre contact (de vive voix "
        "ou par téléphone) : il doit être identique des deux côtés.",
        "Now compare the safety number below with your contact (in person or by phone): it "
        "must be the same on both sides.",
    ),
    "contacts.c.safety_title": ("Numéro de sécurité", "Safety number"),
    "contacts.c.is_verified": (
        "Vérifié : vous l'avez comparé avec ce contact.",
        "Verified: you compared it with this contact.",
    ),
    "contacts.c.not_verified": ("Pas encore vérifié.", "Not verified yet."),
    "contacts.c.how": (
        "Lisez ce numéro à voix haute avec votre correspondant (au téléphone ou côte à côte). "
        "S'il est identique chez vous deux, marquez-le comme vérifié. S'il diffère, n'envoyez "
        "rien de confidentiel et appairez-vous de nouveau en personne.",
        "Read this number aloud with your correspondent (on the phone or side by side). If it "
        "is the same for both of you, mark it as verified. If it differs, send nothing "
        "confidential and pair again in person.",
    ),
    "contacts.c.verify": ("Marquer comme vérifié", "Mark as verified"),
    "contacts.c.verified_now": (
        "{name} est marqué vérifié ; les messages retenus sont dans vos conversations.",
        "{name} is marked verified; held messages are in your conversations.",
    ),
    "contacts.c.key_title": (
        "Attention : la clé de ce contact a changé",
        "Warning: this contact's key changed",
    ),
    "contacts.c.key_body": (
        "{replaces} a révoqué son ancienne clé (poste perdu, volé ou réinstallé) et s'est "
        "appairé de nouveau avec une nouvelle clé, celle de {name}. Ses messages sont retenus "
        "et ne s'affichent pas tant que vous n'avez pas vérifié le numéro de sécurité avec "
        "lui : quelqu'un d'autre pourrait se faire passer pour lui.",
        "{replaces} revoked their former key (machine lost, stolen or reinstalled) and paired "
        "again with a new key, {name}'s. Their messages are held and not shown until you "
        "verify the safety number with them: someone else could be posing as them.",
    ),
    "contacts.c.key_choice": (
        "Appelez-le à un numéro que vous connaissez déjà et comparez le numéro ci-dessous. "
        "S'il est identique, acceptez la nouvelle clé ; sinon, refusez-la (l'appairage est "
        "terminé et rien de ce qu'il a envoyé n'est montré).",
        "Call them on a number you already know and compare the number below. If it is the "
        "same, accept the new key; otherwise refuse it (the pairing ends and nothing they "
        "sent is shown).",
    ),
    "contacts.c.key_accept": (
        "Accepter la nouvelle clé (numéro vérifié)",
        "Accept the new key (number verified)",
    ),
    "contacts.c.key_refuse": (
        "Refuser la nouvelle clé (terminer l'appairage)",
        "Refuse the new key (end the pairing)",
    ),
    "contacts.c.revoked_by_peer": (
        "ATTENTION : ce correspondant a révoqué sa clé (poste perdu ou volé). N'écrivez plus à "
        "cet ancien contact ; appairez-vous de nouveau et vérifiez le numéro.",
        "WARNING: this correspondent revoked their key (lost or stolen machine). Do not write "
        "to this old contact; pair again and verify the number.",
    ),
    "contacts.c.end_title": ("Échanger ou terminer", "Write or end"),
    "contacts.c.write": ("Ouvrir la conversation", "Open the conversation"),
    "contacts.c.unpair": ("Terminer l'appairage…", "End the pairing…"),
    "contacts.c.pair_again": (
        "Ce contact n'est plus appairé. Pour échanger de nouveau :",
        "This contact is no longer paired. To exchange again:",
    ),
    "contacts.c.error.contact_inactive": (
        "Ce contact n'est plus appairé : rien n'a été fait.",
        "This contact is no longer paired: nothing was done.",
    ),
    "contacts.c.error.store_unavailable": (
        "Le poste n'a pas pu enregistrer (disque plein ?) : rien n'a été fait, réessayez.",
        "The node could not save (disk full?): nothing was done, try again.",
    ),
    "contacts.c.error.other": ("La demande a échoué.", "The request failed."),
    "contacts.unpair.page_title": ("Terminer l'appairage", "End the pairing"),
    "contacts.unpair.title": ("Terminer l'appairage avec {name} ?", "End the pairing with {name}?"),
    "contacts.unpair.back": ("Retour à {name}", "Back to {name}"),
    "contacts.unpair.explain": (
        "{name} en sera prévenu par un avis signé. Vous ne pourrez plus vous écrire ; "
        "l'historique reste visible. Pour échanger de nouveau, il faudra un nouvel appairage.",
        "{name} will be told with a signed notice. You will no longer be able to write to "
        "each other; the history stays visible. To exchange again, you will need to pair "
        "again.",
    ),
    "contacts.unpair.pending": (
        "{count} message(s) en attente d'envoi ne partiront pas.",
        "{count} message(s) waiting to be sent will not go.",
    ),
    "contacts.unpair.confirm": (
        "Oui, terminer l'appairage avec {name}",
        "Yes, end the pairing with {name}",
    ),
    "contacts.unpair.cancel": ("Annuler", "Cancel"),
    "contacts.revoke.page_title": ("Révoquer l'identité", "Revoke the identity"),
    "contacts.revoke.title": ("Révoquer l'identité de ce poste", "Revoke this node's identity"),
    "contacts.revoke.when": (
        "À faire seulement si un poste a été perdu ou volé, depuis la sauvegarde restaurée "
        "sur un nouveau poste (voir le guide d'exploitation) : la personne qui détient "
        "l'ancien poste ne pourra plus se faire passer pour vous.",
        "Only if a machine was lost or stolen, from the backup restored on a new machine "
        "(see the operations guide): whoever holds the old machine can no longer pose as you.",
    ),
    "contacts.revoke.warning": (
        "Révoquer l'identité prévient vos {count} contact(s) actif(s) que l'ancienne clé n'est "
        "plus la vôtre. Il faudra ensuite vous appairer de nouveau avec chacun.",
        "Revoking the identity tells your {count} active contact(s) that the old key is no "
        "longer yours. You will then need to pair again with each of them.",
    ),
    "contacts.revoke.confirm_label": (
        "Je confirme : révoquer l'identité de ce poste",
        "I confirm: revoke this node's identity",
    ),
    "contacts.revoke.button": ("Révoquer l'identité", "Revoke the identity"),
    "contacts.revoke.done": (
        "Identité révoquée : {count} contact(s) prévenu(s). Nouvel identifiant de ce poste : "
        "{node_id}",
        "Identity revoked: {count} contact(s) told. This node's new id: {node_id}",
    ),
    "contacts.revoke.next": (
        "Appairez-vous de nouveau avec chaque contact ; ils vérifieront votre nouveau numéro "
        "de sécurité.",
        "Pair again with each contact; they will verify your new safety number.",
    ),
    "contacts.revoke.error.confirm_required": (
        "Cochez la case pour confirmer : rien n'a été révoqué.",
        "Tick the box to confirm: nothing was revoked.",
    ),
    "contacts.revoke.error.store_unavailable": (
        "Le poste n'a pas pu enregistrer (disque plein ?) : rien n'a été révoqué, réessayez.",
        "The node could not save (disk full?): nothing was revoked, try again.",
    ),
    "contacts.revoke.error.other": ("La révocation a échoué.", "Revoking failed."),
}

_PAIR: Final = {
    "pair.page_title": ("Appairer", "Pair"),
    "pair.title": ("Appairer un contact", "Pair with a contact"),
    "pair.lead": (
        "L'un montre une invitation (QR code ou texte), l'autre l'accepte sur son poste. "
        "Ensuite, comparez ensemble le numéro de sécurité.",
        "One shows an invitation (QR code or text), the other accepts it on their machine. "
        "Then compare the safety number together.",
    ),
    "pair.phone_instead": ("Ou appairez-vous par téléphone.", "Or pair by phone."),
    "pair.back": ("Retour à l'appairage", "Back to pairing"),
    "pair.invite_title": ("Montrer une invitation", "Show an invitation"),
    "pair.invite_lead": (
        "Une invitation ne sert qu'une fois : gardez-la secrète jusqu'à ce que votre contact "
        "l'ait acceptée.",
        "An invitation works once only: keep it secret until your contact has accepted it.",
    ),
    "pair.ttl_label": ("Valable pendant", "Valid for"),
    "pair.ttl.15": ("15 minutes", "15 minutes"),
    "pair.ttl.60": ("1 heure", "1 hour"),
    "pair.ttl.1440": ("1 jour (page affichée)", "1 day (a page put up)"),
    "pair.ttl.10080": ("7 jours", "7 days"),
    "pair.ttl.43200": ("30 jours", "30 days"),
    "pair.invite_button": ("Créer l'invitation", "Create the invitation"),
    "pair.accept_title": ("Accepter une invitation", "Accept an invitation"),
    "pair.accept_lead": (
        "Votre contact vous montre une invitation Relève : collez son texte, envoyez une photo "
        "de son QR code, ou scannez-le avec la webcam.",
        "Your contact shows you a Relève invitation: paste its text, send a photo of its QR "
        "code, or scan it with the webcam.",
    ),
    "pair.paste_title": ("Par son texte", "By its text"),
    "pair.paste_label": ("Texte de l'invitation", "Invitation text"),
    "pair.paste_hint": (
        "Il commence par « releve: » ; les espaces et retours à la ligne ne comptent pas.",
        "It starts with “releve:”; spaces and line breaks do not matter.",
    ),
    "pair.accept_button": ("Accepter l'invitation", "Accept the invitation"),
    "pair.photo_title": ("Par une photo du QR code", "By a photo of the QR code"),
    "pair.photo_label": (
        "Photo ou capture d'écran du QR code",
        "Photo or screenshot of the QR code",
    ),
    "pair.photo_hint": (
        "PNG ou JPEG, {size} au plus, le QR code entier, net et bien éclairé.",
        "PNG or JPEG, {size} at most, the whole QR code, sharp and well lit.",
    ),
    "pair.photo_button": ("Lire la photo et accepter", "Read the photo and accept"),
    "pair.scan_title": ("Avec la webcam", "With the webcam"),
    "pair.scan_needs_js": (
        "Le scan par webcam a besoin de JavaScript ; collez le texte ou envoyez une photo.",
        "Scanning with the webcam needs JavaScript; paste the text or send a photo.",
    ),
    "pair.scan_hint": (
        "Montrez le QR code à la caméra de ce poste ; les images sont lues par votre nœud "
        "Relève, sur ce poste, et ne vont nulle part ailleurs.",
        "Show the QR code to this machine's camera; the pictures are read by your Relève "
        "node, on this machine, and go nowhere else.",
    ),
    "pair.scan_start": ("Scanner avec la webcam", "Scan with the webcam"),
    "pair.scan_stop": ("Arrêter la caméra", "Stop the camera"),
    "pair.scan_starting": ("Ouverture de la caméra…", "Opening the camera…"),
    "pair.scan_looking": (
        "Caméra ouverte : présentez le QR code, bien à plat et en entier.",
        "Camera on: show the QR code, flat and whole.",
    ),
    "pair.scan_denied": (
        "La caméra n'a pas pu être ouverte (refusée ou absente) : collez le texte ou envoyez "
        "une photo.",
        "The camera could not be opened (refused or missing): paste the text or send a photo.",
    ),
    "pair.scan_failed": (
        "La lecture a échoué ; rechargez la page et réessayez, ou collez le texte.",
        "Reading failed; reload the page and try again, or paste the text.",
    ),
    "pair.scan_stopped": ("Caméra arrêtée.", "Camera stopped."),
    "pair.scan_found": (
        "QR code lu : acceptation de l'invitation…",
        "QR code read: accepting the invitation…",
    ),
    "pair.invitation_page_title": ("Invitation", "Invitation"),
    "pair.invitation_title": ("Votre invitation", "Your invitation"),
    "pair.expires": (
        "À usage unique, valable jusqu'au {when} (heure de Paris).",
        "One-time, valid until {when} (Paris time).",
    ),
    "pair.invitation_hint": (
        "Faites scanner ce QR code par votre contact (téléphone ou webcam de son poste), ou "
        "transmettez-lui le texte par un canal sûr.",
        "Have your contact scan this QR code (phone or their machine's webcam), or pass them "
        "the text through a safe channel.",
    ),
    "pair.qr_label": ("QR code de l'invitation Relève", "QR code of the Relève invitation"),
    "pair.text_title": ("Texte de l'invitation", "Invitation text"),
    "pair.copy": ("Copier le texte", "Copy the text"),
    "pair.copied": ("Texte copié.", "Text copied."),
    "pair.print_link": ("Page A4 à imprimer", "A4 page to print"),
    "pair.invite_waiting": (
        "En attente de votre contact… Cette page se met à jour dès qu'il a accepté.",
        "Waiting for your contact… This page updates as soon as they have accepted.",
    ),
    "pair.invite_paired": ("{name} a accepté l'invitation.", "{name} accepted the invitation."),
    "pair.invite_see_contact": (
        "Voir le contact et comparer le numéro de sécurité",
        "See the contact and compare the safety number",
    ),
    "pair.invite_expired": (
        "Cette invitation a expiré sans être utilisée : créez-en une nouvelle.",
        "This invitation expired unused: create a new one.",
    ),
    "pair.invite_revoked": (
        "Cette invitation ne sert plus : l'identité de ce poste a été révoquée depuis. "
        "Créez-en une nouvelle.",
        "This invitation no longer works: this node's identity was revoked since. Create a "
        "new one.",
    ),
    "pair.print_page_title": ("Invitation à imprimer", "Invitation to print"),
    "pair.print_back": ("Retour à l'invitation", "Back to the invitation"),
    "pair.print_button": ("Imprimer", "Print"),
    "pair.print_note": (
        "A4, le noir et blanc suffit. Retirez la feuille une fois l'invitation utilisée ou "
        "expirée.",
        "A4, black and white is fine. Take the sheet down once the invitation is used or expired.",
    ),
    "pair.print_heading": ("Invitation Relève", "Relève invitation"),
    "pair.print_expires": (
        "Valable une seule fois, jusqu'au {when} (heure de Paris)",
        "Valid once only, until {when} (Paris time)",
    ),
    "pair.print_lead": (
        "Pour échanger avec {name} par Relève, la messagerie sécurisée de secours entre "
        "soignants, acceptez cette invitation sur le poste où tourne votre nœud Relève.",
        "To exchange with {name} through Relève, the secure fallback messaging between "
        "clinicians, accept this invitation on the machine where your Relève node runs.",
    ),
    "pair.print_once": (
        "Si elle a expiré ou a déjà servi, demandez-en une nouvelle à {name}.",
        "If it has expired or was already used, ask {name} for a new one.",
    ),
    "pair.print_how": ("Pour s'appairer", "How to pair"),
    "pair.print_step_open": (
        "Ouvrez Relève (« releve ouvrir »), Contacts, puis « Appairer un contact ».",
        "Open Relève (“releve open”), Contacts, then “Pair with a contact”.",
    ),
    "pair.print_step_scan": (
        "Scannez le QR code avec la webcam, envoyez-en une photo, ou tapez le texte ci-dessus "
        "(majuscules et minuscules comptent, espaces non).",
        "Scan the QR code with the webcam, send a photo of it, or type the text above (upper "
        "and lower case matter, spaces do not).",
    ),
    "pair.print_step_compare": (
        "Comparez ensuite le numéro de sécurité avec {name}, de vive voix ou par téléphone : "
        "il doit être identique des deux côtés.",
        "Then compare the safety number with {name}, in person or by phone: it must be the "
        "same on both sides.",
    ),
    "pair.print_owner": (
        "Pour {name} : qui voit cette page peut s'en servir. Affichez-la là où seuls vos "
        "correspondants la voient, et vérifiez dans Contacts que le nouveau contact est bien "
        "celui attendu.",
        "For {name}: whoever sees this page can use it. Put it up where only your "
        "correspondents see it, and check in Contacts that the new contact is the one you "
        "expected.",
    ),
    "pair.digits": (
        "zéro un deux trois quatre cinq six sept huit neuf",
        "zero one two three four five six seven eight nine",
    ),
}

_PHONE: Final = {
    "pair.phone.page_title": ("Appairer par téléphone", "Pair by phone"),
    "pair.phone.title": ("Appairer par téléphone", "Pair by phone"),
    "pair.phone.lead": (
        "Au téléphone avec votre contact : l'un « appelle » et lit un code à voix haute, "
        "l'autre « rejoint » en tapant ce code. Les deux postes passent par le même relais.",
        "On the phone with your contact: one “calls” and reads a code aloud, the other "
        "“joins” by typing that code. Both machines go through the same relay.",
    ),
    "pair.phone.relay_default": (
        "Relais de ce poste : {relay} (votre contact doit utiliser le même).",
        "This node's relay: {relay} (your contact must use the same).",
    ),
    "pair.phone.relay_none": (
        "Ce poste n'utilise aucun relais : indiquez celui de votre contact ci-dessous.",
        "This node uses no relay: give your contact's below.",
    ),
    "pair.phone.relay_label": ("Relais (facultatif)", "Relay (optional)"),
    "pair.phone.relay_hint": (
        "Laissez vide pour le relais de ce poste ; sinon http://hôte:port, le même des deux côtés.",
        "Leave empty for this node's relay; otherwise http://host:port, the same on both sides.",
    ),
    "pair.phone.call_title": ("Appeler : obtenir un code à lire", "Call: get a code to read out"),
    "pair.phone.call_lead": (
        "Vous lirez le code à votre contact ; il le tapera sur son poste.",
        "You will read the code to your contact; they will type it on their machine.",
    ),
    "pair.phone.call_button": ("Obtenir un code", "Get a code"),
    "pair.phone.join_title": ("Rejoindre : taper le code entendu", "Join: type the code you heard"),
    "pair.phone.join_lead": (
        "Votre contact vous lit un code : un nombre puis trois mots.",
        "Your contact reads you a code: a number then three words.",
    ),
    "pair.phone.code_label": ("Code entendu", "Code heard"),
    "pair.phone.code_hint": (
        "Par exemple 7-lapin-orage-tigre ; tirets, espaces ou majuscules, peu importe.",
        "For example 7-lapin-orage-tigre; dashes, spaces or capitals do not matter.",
    ),
    "pair.phone.join_button": ("Rejoindre", "Join"),
    "pair.phone.joining": (
        "Connexion au relais et vérification du code…",
        "Connecting to the relay and checking the code…",
    ),
    "pair.phone.call_page_title": ("Code d'appairage", "Pairing code"),
    "pair.phone.call_header": (
        "Code d'appairage à lire à votre correspondant",
        "Pairing code to read to your correspondent",
    ),
    "pair.phone.read_aloud": (
        "Lisez-le lentement, au téléphone : « {spoken} ».",
        "Read it slowly, over the phone: “{spoken}”.",
    ),
    "pair.phone.join_where": (
        "Sur son poste, votre correspondant ouvre Contacts, « Appairer par téléphone », et le "
        "tape sous « Rejoindre » (ou : releve pair join CODE).",
        "On their machine, your correspondent opens Contacts, “Pair by phone”, and types it "
        "under “Join” (or: releve pair join CODE).",
    ),
    "pair.phone.once": (
        "Le code ne sert qu'une fois et expire le {when}. Relais : {relay} (le même des deux "
        "côtés).",
        "The code works once only and expires at {when}. Relay: {relay} (the same on both sides).",
    ),
    "pair.phone.waiting": (
        "En attente de votre correspondant… Cette page se met à jour d'elle-même.",
        "Waiting for your correspondent… This page updates by itself.",
    ),
    "pair.phone.peer_joined": (
        "Votre correspondant est connecté : vérification du code…",
        "Your correspondent is connected: checking the code…",
    ),
    "pair.phone.paired": ("Appairé avec {name}.", "Paired with {name}."),
    "pair.phone.failed": ("Rien n'a été appairé :", "Nothing was paired:"),
    "pair.phone.cancel": (
        "Annuler l'appel (le code ne servira plus)",
        "Cancel the call (the code will no longer work)",
    ),
    "pair.phone.refresh": ("Actualiser", "Refresh"),
    "pair.phone.again": ("Recommencer avec un nouveau code", "Start again with a new code"),
    "pair.phone.back": ("Retour à l'appairage par téléphone", "Back to pairing by phone"),
}

_ERRORS: Final = {
    "pair.error.invitation_empty": (
        "Collez le texte de l'invitation avant d'accepter.",
        "Paste the invitation text before accepting.",
    ),
    "pair.error.text_too_long": (
        "Ce texte est bien trop long pour une invitation Relève : copiez seulement "
        "l'invitation, qui commence par « releve: ».",
        "This text is far too long for a Relève invitation: copy only the invitation, which "
        "starts with “releve:”.",
    ),
    "pair.error.invitation_invalid": (
        "Ce n'est pas une invitation Relève, ou elle est abîmée : vérifiez le texte ou "
        "demandez une nouvelle invitation.",
        "This is not a Relève invitation, or it is damaged: check the text or ask for a new "
        "invitation.",
    ),
    "pair.error.invitation_expired": (
        "L'invitation a expiré : demandez-en une nouvelle.",
        "The invitation has expired: ask for a new one.",
    ),
    "pair.error.invitation_own": (
        "C'est l'invitation de ce poste : elle doit être acceptée sur l'autre poste.",
        "This is this node's own invitation: it must be accepted on the other machine.",
    ),
    "pair.error.already_paired": (
        "Ce contact est déjà appairé : voyez vos contacts.",
        "This contact is already paired: see your contacts.",
    ),
    "pair.error.invitation_used": (
        "Cette invitation a déjà servi (elle ne sert qu'une fois) : demandez-en une nouvelle.",
        "This invitation was already used (it works once only): ask for a new one.",
    ),
    "pair.error.store_unavailable": (
        "Le poste n'a pas pu enregistrer (disque plein ?) : rien n'a été fait, réessayez.",
        "The node could not save (disk full?): nothing was done, try again.",
    ),
    "pair.error.other": ("L'appairage a échoué.", "Pairing failed."),
    "pair.error.image_missing": (
        "Choisissez d'abord une photo ou une capture d'écran du QR code.",
        "First choose a photo or a screenshot of the QR code.",
    ),
    "pair.error.image_too_large": (
        "Cette image est trop grande : recadrez-la autour du QR code ou réduisez-la "
        "(10 Mo et 60 mégapixels au plus).",
        "This image is too large: crop it around the QR code or shrink it (10 MiB and 60 "
        "megapixels at most).",
    ),
    "pair.error.image_not_image": (
        "Ce fichier n'est pas une image lisible : donnez une photo ou une capture d'écran en "
        "PNG ou en JPEG.",
        "This file is not a readable image: give a photo or a screenshot as PNG or JPEG.",
    ),
    "pair.error.image_no_qr": (
        "Aucun QR code trouvé sur l'image : reprenez la photo de plus près, nette, bien "
        "éclairée, le QR code entier dans le cadre, ou collez le texte de l'invitation.",
        "No QR code found in the image: take the photo again, closer, sharp and well lit, "
        "with the whole QR code in the frame, or paste the invitation text.",
    ),
    "pair.error.image_not_invitation": (
        "Ce QR code n'est pas une invitation Relève (son texte ne commence pas par "
        "« releve: ») : montrez le QR code de l'invitation.",
        "This QR code is not a Relève invitation (its text does not start with “releve:”): "
        "show the invitation's QR code.",
    ),
    "pair.error.image_several": (
        "L'image contient {count} invitations Relève différentes : recadrez-la sur une seule.",
        "The image holds {count} different Relève invitations: crop it to one.",
    ),
    "pair.error.upload_broken": (
        "L'envoi de l'image a été interrompu : réessayez.",
        "Sending the image was interrupted: try again.",
    ),
    "pair.error.phone_unavailable": (
        "L'appairage par téléphone n'est pas disponible sur ce poste.",
        "Pairing by phone is not available on this node.",
    ),
    "pair.error.field_too_long": (
        "Ce champ est trop long : un code est un nombre et trois mots, un relais une adresse.",
        "This field is too long: a code is a number and three words, a relay an address.",
    ),
    "pair.error.code_required": (
        "Tapez le code que votre correspondant vous a lu.",
        "Type the code your correspondent read to you.",
    ),
    "pair.error.no_relay": (
        "Ce poste n'utilise aucun relais : indiquez celui de votre correspondant (le même des "
        "deux côtés).",
        "This node uses no relay: give your correspondent's (the same on both sides).",
    ),
    "pair.error.relay_invalid": (
        "Adresse de relais invalide : écrivez http://hôte:port ou https://hôte[:port].",
        "Invalid relay address: write http://host:port or https://host[:port].",
    ),
    "pair.error.code_invalid": (
        "Ce n'est pas un code valable : un nombre puis trois mots, comme 7-lapin-orage-tigre ; "
        "faites-vous relire le code.",
        "This is not a valid code: a number then three words, like 7-lapin-orage-tigre; ask "
        "for the code to be read again.",
    ),
    "pair.error.wrong_code": (
        "Les deux postes n'ont pas le même code : rien n'a été appairé, et ce code ne sert "
        "plus. Celui qui appelle demande un nouveau code et le relit lentement.",
        "The two machines do not have the same code: nothing was paired, and this code no "
        "longer works. The caller gets a new code and reads it slowly.",
    ),
    "pair.error.code_unknown": (
        "Le relais ne connaît pas ce code : vérifiez le nombre, et que vous utilisez tous les "
        "deux le même relais. S'il a expiré, demandez un nouveau code.",
        "The relay does not know this code: check the number, and that you both use the same "
        "relay. If it has expired, ask for a new code.",
    ),
    "pair.error.call_not_found": (
        "Cet appel est inconnu du poste (terminé depuis longtemps, ou poste redémarré).",
        "The node does not know this call (finished long ago, or the node restarted).",
    ),
    "pair.error.code_used": (
        "Ce code a déjà servi (un code ne sert qu'une fois) : demandez un nouveau code.",
        "This code was already used (a code works once only): ask for a new code.",
    ),
    "pair.error.peer_left": (
        "Votre correspondant s'est déconnecté avant la fin : recommencez avec un nouveau code.",
        "Your correspondent disconnected before the end: start again with a new code.",
    ),
    "pair.error.cancelled": (
        "L'appel a été annulé sur ce poste ; le code ne sert plus.",
        "The call was cancelled on this machine; the code no longer works.",
    ),
    "pair.error.code_expired": (
        "Le code a expiré avant que votre correspondant ne le tape : demandez-en un nouveau "
        "quand il est prêt.",
        "The code expired before your correspondent typed it: get a new one when they are ready.",
    ),
    "pair.error.too_many_calls": (
        "Trop d'appels en attente sur ce poste : annulez-en un avant d'en commencer un autre.",
        "Too many calls waiting on this node: cancel one before starting another.",
    ),
    "pair.error.pairing_failed": (
        "L'autre poste ou le relais a interrompu l'appairage : recommencez avec un nouveau code.",
        "The other machine or the relay broke off the pairing: start again with a new code.",
    ),
    "pair.error.relay_unreachable": (
        "Le relais ne répond pas : vérifiez son adresse et le réseau, puis réessayez.",
        "The relay does not answer: check its address and the network, then try again.",
    ),
    "pair.error.relay_busy": (
        "Le relais est occupé ou redémarre : réessayez dans une minute.",
        "The relay is busy or restarting: try again in a minute.",
    ),
    "pair.error.pairing_timeout": (
        "L'appairage n'a pas abouti à temps : recommencez avec un nouveau code.",
        "The pairing did not finish in time: start again with a new code.",
    ),
}

CONTACTS: Final[dict[str, tuple[str, str]]] = {
    **_ROLES,
    **_LIST,
    **_ONE,
    **_PAIR,
    **_PHONE,
    **_ERRORS,
}
