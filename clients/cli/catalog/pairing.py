"""Pairing (invitation, QR code, phone code), contacts and trust, the printable invitation page."""

from __future__ import annotations

from typing import Final

PAIRING: Final[dict[str, dict[str, str]]] = {
    "verify.how": {
        "fr": "Lisez ce numéro à voix haute avec votre correspondant (au téléphone ou côte à "
        "côte) : {number}",
        "en": "Read this number aloud with your correspondent (on the phone or side by side): "
        "{number}",
    },
    "verify.then": {
        "fr": "S'il est identique chez vous deux : releve verify \"{contact}\" --confirm. S'il "
        "diffère, n'envoyez rien de confidentiel et appairez-vous de nouveau en personne.",
        "en": 'If it is the same for both of you: releve verify "{contact}" --confirm. If it '
        "differs, send nothing confidential and pair again in person.",
    },
    "verify.done": {
        "fr": "{name} est marqué vérifié ; les messages retenus sont dans votre boîte.",
        "en": "{name} is marked verified; held messages are in your inbox.",
    },
    "unpair.done": {
        "fr": "Appairage avec {name} terminé ; {name} en est prévenu.",
        "en": "Pairing with {name} ended; {name} is being told.",
    },
    "revoke.warning": {
        "fr": "Révoquer l'identité prévient tous vos contacts que l'ancienne clé n'est plus "
        "la vôtre. Il faudra ensuite vous appairer de nouveau avec chacun.",
        "en": "Revoking the identity tells all your contacts that the old key is no longer "
        "yours. You will then need to pair again with each of them.",
    },
    "revoke.prompt": {
        "fr": "Révoquer maintenant ? (oui/non) ",
        "en": "Revoke now? (yes/no) ",
    },
    "revoke.cancelled": {
        "fr": "Rien n'a été révoqué.",
        "en": "Nothing was revoked.",
    },
    "revoke.done": {
        "fr": "Identité révoquée : {count} contact(s) prévenu(s). Nouvel identifiant de nœud : "
        "{node_id}",
        "en": "Identity revoked: {count} contact(s) told. New node id: {node_id}",
    },
    "revoke.next": {
        "fr": "Appairez-vous de nouveau avec chaque contact (releve pair invite) ; ils "
        "vérifieront votre nouveau numéro de sécurité.",
        "en": "Pair again with each contact (releve pair invite); they will verify your new "
        "safety number.",
    },
    "contact.state_unpaired": {
        "fr": "Appairage terminé (par vous).",
        "en": "Pairing ended (by you).",
    },
    "contact.state_unpaired_by_peer": {
        "fr": "Appairage terminé par ce correspondant.",
        "en": "This correspondent ended the pairing.",
    },
    "contact.state_revoked": {
        "fr": "Vous avez révoqué votre ancienne identité : appairez-vous de nouveau.",
        "en": "You revoked your former identity: pair again.",
    },
    "contact.state_revoked_by_peer": {
        "fr": "ATTENTION : ce correspondant a révoqué sa clé (poste perdu ou volé). N'écrivez "
        "plus à cet ancien contact ; appairez-vous de nouveau et vérifiez le numéro.",
        "en": "WARNING: this correspondent revoked their key (lost or stolen machine). Do not "
        "write to this old contact; pair again and verify the number.",
    },
    "contact.state_other": {
        "fr": "État : {state}",
        "en": "State: {state}",
    },
    "contact.key_changed_held": {
        "fr": "ATTENTION : la clé de {name} a changé. Ses messages sont retenus tant que vous "
        "n'avez pas vérifié le numéro de sécurité avec lui (releve verify).",
        "en": "WARNING: {name}'s key changed. Their messages are held until you verify the "
        "safety number with them (releve verify).",
    },
    "pair.invite_header": {
        "fr": "Invitation à usage unique, valable jusqu'au {expires} :",
        "en": "One-time invitation, valid until {expires}:",
    },
    "pair.invite_hint": {
        "fr": "Faites scanner ce QR code, ou transmettez le texte par un canal sûr. "
        "Il ne sert qu'une fois : gardez-le secret jusque-là.",
        "en": "Have this QR code scanned, or pass the text on through a safe channel. "
        "It works once only: keep it secret until then.",
    },
    "pair.file_written": {
        "fr": "QR code écrit dans {path} ({option}), lisible par vous seul : "
        "supprimez-le une fois l'invitation utilisée.",
        "en": "QR code written to {path} ({option}), readable by you only: "
        "delete it once the invitation is used.",
    },
    "pair.accepted": {
        "fr": "Contact ajouté : {name} ({role})",
        "en": "Contact added: {name} ({role})",
    },
    "pair.compare_hint": {
        "fr": "Comparez le numéro de sécurité avec votre contact (de vive voix ou par "
        "téléphone) : il doit être identique des deux côtés.",
        "en": "Compare the safety number with your contact (in person or by phone): "
        "it must be the same on both sides.",
    },
    "pair.print_written": {
        "fr": "Page à imprimer écrite dans {path}, lisible par vous seul : ouvrez-la dans un "
        "navigateur et imprimez-la (A4, le noir et blanc suffit). Retirez la feuille une fois "
        "l'invitation utilisée ou expirée.",
        "en": "Printable page written to {path}, readable by you only: open it in a browser "
        "and print it (A4, black and white is fine). Take the sheet down once the invitation "
        "is used or expired.",
    },
    "pair.print_ttl_hint": {
        "fr": "Cette invitation expire le {expires} : pour une page affichée plus longtemps, "
        "ajoutez --ttl MINUTES (par exemple --ttl 1440 pour un jour ; 43200 au plus, 30 jours).",
        "en": "This invitation expires at {expires}: for a page that stays up longer, add "
        "--ttl MINUTES (for example --ttl 1440 for one day; 43200 at most, 30 days).",
    },
    "phone.digits": {
        "fr": "zéro un deux trois quatre cinq six sept huit neuf",
        "en": "zero one two three four five six seven eight nine",
    },
    "phone.call_header": {
        "fr": "Code d'appairage à lire à votre correspondant :",
        "en": "Pairing code to read to your correspondent:",
    },
    "phone.read_aloud": {
        "fr": "Lisez-le lentement, au téléphone : « {spoken} ».",
        "en": 'Read it slowly, over the phone: "{spoken}".',
    },
    "phone.join_command": {
        "fr": "Sur son poste, votre correspondant tape : releve pair join {code}",
        "en": "On their machine, your correspondent types: releve pair join {code}",
    },
    "phone.once": {
        "fr": "Le code ne sert qu'une fois et expire le {expires}. Relais : {relay} "
        "(le même des deux côtés).",
        "en": "The code works once only and expires at {expires}. Relay: {relay} "
        "(the same on both sides).",
    },
    "phone.waiting": {
        "fr": "En attente de votre correspondant… (Ctrl-C pour annuler)",
        "en": "Waiting for your correspondent… (Ctrl-C to cancel)",
    },
    "phone.peer_joined": {
        "fr": "Votre correspondant est connecté : vérification du code…",
        "en": "Your correspondent is connected: checking the code…",
    },
    "phone.paired": {
        "fr": "Appairé avec {name} ({role})",
        "en": "Paired with {name} ({role})",
    },
    "phone.cancelled": {
        "fr": "Appel annulé : ce code ne sert plus.",
        "en": "Call cancelled: this code no longer works.",
    },
    "phone.joining": {
        "fr": "Connexion au relais et vérification du code…",
        "en": "Connecting to the relay and checking the code…",
    },
    "phone.unconfirmed": {
        "fr": "Le poste de votre correspondant n'a pas encore confirmé : l'appairage se termine "
        "dès qu'il reçoit la réponse (voyez `releve contacts` chez lui).",
        "en": "Your correspondent's machine has not confirmed yet: the pairing completes as "
        "soon as it receives the answer (see `releve contacts` on their side).",
    },
    "print.title": {"fr": "Invitation Relève", "en": "Relève invitation"},
    "print.qr_label": {
        "fr": "QR code de l'invitation Relève",
        "en": "QR code of the Relève invitation",
    },
    "print.expires": {
        "fr": "Valable une seule fois, jusqu'au {when} (heure locale, {offset})",
        "en": "Valid once only, until {when} (local time, {offset})",
    },
    "print.text_heading": {"fr": "Texte de l'invitation", "en": "Invitation text"},
    "print.how": {"fr": "Pour s'appairer", "en": "How to pair"},
    "print.lead": {
        "fr": "Pour échanger avec {name} ({role}) par Relève, la messagerie sécurisée de "
        "secours entre soignants, acceptez cette invitation sur le poste où tourne votre nœud "
        "Relève.",
        "en": "To exchange with {name} ({role}) through Relève, the secure fallback messaging "
        "between clinicians, accept this invitation on the machine where your Relève node "
        "runs.",
    },
    "print.step_photo": {
        "fr": "Photographiez le QR code (ou faites une capture d'écran), copiez l'image sur ce "
        "poste, puis : `releve pair accept --image photo.png`",
        "en": "Take a photo of the QR code (or a screenshot), copy the picture to that "
        "machine, then: `releve pair accept --image photo.png`",
    },
    "print.step_text": {
        "fr": 'Ou tapez le texte ci-dessus : `releve pair accept "releve:…"` (entre '
        "guillemets ; majuscules et minuscules comptent, espaces et retours à la ligne non).",
        "en": 'Or type the text above: `releve pair accept "releve:…"` (between quotes; '
        "upper and lower case matter, spaces and line breaks do not).",
    },
    "print.step_compare": {
        "fr": "Comparez ensuite le numéro de sécurité (`releve contacts`) avec {name}, de vive "
        "voix ou par téléphone : il doit être identique des deux côtés.",
        "en": "Then compare the safety number (`releve contacts`) with {name}, in person or "
        "by phone: it must be the same on both sides.",
    },
    "print.once": {
        "fr": "Cette invitation ne sert qu'une fois. Si elle a expiré ou a déjà servi, "
        "demandez-en une nouvelle à {name}.",
        "en": "This invitation works once only. If it has expired or was already used, "
        "ask {name} for a new one.",
    },
    "print.owner": {
        "fr": "Pour {name} : qui voit cette page peut s'en servir. Affichez-la là où seuls vos "
        "correspondants la voient, retirez-la une fois l'invitation utilisée ou expirée, et "
        "vérifiez dans `releve contacts` que le nouveau contact est bien celui attendu.",
        "en": "For {name}: whoever sees this page can use it. Put it up where only your "
        "correspondents see it, take it down once the invitation is used or expired, and "
        "check in `releve contacts` that the new contact is the one you expected.",
    },
    "contacts.none": {
        "fr": "Aucun contact. Appairez-vous avec `releve pair invite` ou `releve pair accept`.",
        "en": "No contacts. Pair with `releve pair invite` or `releve pair accept`.",
    },
    "contact.title": {"fr": "{name} ({role})", "en": "{name} ({role})"},
    "contact.node_id": {"fr": "Identifiant : {node_id}", "en": "Node id: {node_id}"},
    "contact.safety_number": {
        "fr": "Numéro de sécurité : {safety_number} (vérifié : {verified})",
        "en": "Safety number: {safety_number} (verified: {verified})",
    },
    "contact.paired_at": {"fr": "Appairé le : {when}", "en": "Paired: {when}"},
    "contact.endpoints": {
        "fr": "Adresses directes : {endpoints}",
        "en": "Direct addresses: {endpoints}",
    },
}
