"""Every sentence the command-line client shows, in French (first) and English.

The language is ``--lang``, then ``$RELEVE_LANG``, then the locale (``$LC_ALL``,
``$LC_MESSAGES``, ``$LANG``: "en..." is English, "fr..." French), otherwise French.
Placeholders are ``str.format`` names; both languages of a key use the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

LANGUAGES: Final = ("fr", "en")
DEFAULT_LANGUAGE: Final = "fr"
ENV_LANG: Final = "RELEVE_LANG"
_LOCALE_VARIABLES: Final = ("LC_ALL", "LC_MESSAGES", "LANG")

_current = DEFAULT_LANGUAGE


def choose_language(cli: str | None, environ: Mapping[str, str]) -> str:
    if cli in LANGUAGES:
        return cli
    chosen = environ.get(ENV_LANG, "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    # POSIX order: the first locale variable that is set decides.
    for name in _LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            lowered = value.lower()
            if lowered.startswith("en"):
                return "en"
            if lowered.startswith("fr"):
                return "fr"
            break
    return DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang!r}")
    _current = lang


def language() -> str:
    return _current


def has_key(key: str) -> bool:
    return key in CATALOG


def t(key: str, **values: object) -> str:
    """The sentence ``key`` in the current language, filled with ``values``."""
    return CATALOG[key][_current].format(**values)


CATALOG: Final[dict[str, dict[str, str]]] = {
    # -- command line ------------------------------------------------------------------------
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
        "fr": "dossier du nœud (sinon $RELEVE_HOME, sinon ~/.local/share/releve)",
        "en": "the node's folder (else $RELEVE_HOME, else ~/.local/share/releve)",
    },
    "help.lang": {
        "fr": "langue : fr ou en (sinon $RELEVE_LANG, sinon la langue du système)",
        "en": "language: fr or en (else $RELEVE_LANG, else the system's language)",
    },
    "help.init": {
        "fr": "créer le nœud de ce poste (une seule fois)",
        "en": "create this machine's node (once)",
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
    "relay.starting": {
        "fr": "Démarrage du relais sur {listen} (Ctrl-C pour l'arrêter)…",
        "en": "Starting the relay on {listen} (Ctrl-C to stop it)…",
    },
    "error.relay_config": {
        "fr": "réglage du relais invalide : {detail}",
        "en": "invalid relay setting: {detail}",
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
    "metavar.role": {"fr": "RÔLE", "en": "ROLE"},
    "metavar.file": {"fr": "FICHIER", "en": "FILE"},
    "metavar.host_port": {"fr": "HÔTE:PORT", "en": "HOST:PORT"},
    "metavar.minutes": {"fr": "MINUTES", "en": "MINUTES"},
    "metavar.text": {"fr": "TEXTE", "en": "TEXT"},
    "metavar.contact": {"fr": "CONTACT", "en": "CONTACT"},
    "metavar.seconds": {"fr": "SECONDES", "en": "SECONDS"},
    "metavar.message_id": {"fr": "ID_MESSAGE", "en": "MESSAGE_ID"},
    # -- words -------------------------------------------------------------------------------
    "word.yes": {"fr": "oui", "en": "yes"},
    "word.no": {"fr": "non", "en": "no"},
    "word.none": {"fr": "aucune", "en": "none"},
    "word.never": {"fr": "jamais", "en": "never"},
    "role.other": {"fr": "autre", "en": "other"},
    "role.gp": {"fr": "médecin généraliste", "en": "general practitioner"},
    "role.pharmacist": {"fr": "pharmacien", "en": "pharmacist"},
    "role.practice": {"fr": "cabinet médical", "en": "medical practice"},
    "role.nurse": {"fr": "infirmier ou infirmière", "en": "nurse"},
    "role.specialist": {"fr": "médecin spécialiste", "en": "specialist"},
    "role.laboratory": {"fr": "laboratoire", "en": "laboratory"},
    "msgstatus.queued": {"fr": "en attente d'envoi", "en": "queued"},
    "msgstatus.delivered": {"fr": "remis", "en": "delivered"},
    "msgstatus.read": {"fr": "lu", "en": "read"},
    "msgstatus.failed": {"fr": "non remis", "en": "failed"},
    "msgstatus.received": {"fr": "reçu", "en": "received"},
    # -- errors ------------------------------------------------------------------------------
    "error.prefix": {"fr": "Erreur : {message}", "en": "Error: {message}"},
    "error.no_node": {
        "fr": "aucun nœud ne tourne pour {home} ; démarrez-le avec `releve node`",
        "en": "no node is running for {home}; start it with `releve node`",
    },
    "error.no_node_no_home": {
        "fr": "aucun nœud ne tourne pour {home} ; démarrez-le avec `releve node` "
        "(ce dossier n'a pas encore de nœud : créez-le d'abord avec `releve init`)",
        "en": "no node is running for {home}; start it with `releve node` "
        "(this folder has no node yet: create it first with `releve init`)",
    },
    "error.api_info_invalid": {
        "fr": "{path} n'indique pas une adresse locale : refus d'y envoyer le jeton d'accès",
        "en": "{path} does not name a local address: refusing to send the access token there",
    },
    "error.token_unreadable": {
        "fr": "impossible de lire le jeton d'accès {path} ({reason})",
        "en": "cannot read the access token {path} ({reason})",
    },
    "error.node_refused": {
        "fr": "le nœud ne répond pas à {url}",
        "en": "the node does not answer at {url}",
    },
    "error.node_timeout": {
        "fr": "le nœud ({url}) n'a pas répondu à temps ; réessayez",
        "en": "the node ({url}) did not answer in time; try again",
    },
    "error.node_unreachable": {
        "fr": "impossible de joindre le nœud à {url} ({reason})",
        "en": "cannot reach the node at {url} ({reason})",
    },
    "error.bad_response": {
        "fr": "réponse incompréhensible du nœud (versions différentes ?)",
        "en": "the node's answer cannot be understood (different versions?)",
    },
    "error.write_failed": {
        "fr": "impossible d'écrire {path} ({reason})",
        "en": "cannot write {path} ({reason})",
    },
    "error.invitation_empty": {
        "fr": "l'invitation est vide : collez le texte qui commence par releve:",
        "en": "the invitation is empty: paste the text that starts with releve:",
    },
    "error.empty_text": {"fr": "le message est vide", "en": "the message is empty"},
    "error.message_id_invalid": {
        "fr": "identifiant de message invalide : {message_id} "
        "(32 caractères 0-9 a-f, ou au moins les 4 premiers)",
        "en": "invalid message id: {message_id} (32 characters 0-9 a-f, or at least the first 4)",
    },
    "error.message_id_ambiguous": {
        "fr": "{count} messages commencent par {message_id} : donnez plus de caractères",
        "en": "{count} messages start with {message_id}: give more characters",
    },
    "error.passphrase_file": {
        "fr": "impossible de lire le fichier de phrase secrète {path} ({reason})",
        "en": "cannot read the passphrase file {path} ({reason})",
    },
    "error.passphrase_empty": {
        "fr": "le fichier de phrase secrète {path} est vide",
        "en": "the passphrase file {path} is empty",
    },
    "error.passphrase_empty_prompt": {
        "fr": "la phrase secrète ne peut pas être vide",
        "en": "the passphrase cannot be empty",
    },
    "error.passphrase_mismatch": {
        "fr": "les deux phrases secrètes saisies sont différentes",
        "en": "the two passphrases entered differ",
    },
    "error.passphrase_needed": {
        "fr": "une phrase secrète est nécessaire : donnez --passphrase-file FICHIER, lancez la "
        "commande dans un terminal, ou choisissez --unattended pour un serveur",
        "en": "a passphrase is needed: give --passphrase-file FILE, run the command in a "
        "terminal, or choose --unattended for a server",
    },
    # -- errors of the local API (docs/local-api.md, "Errors") --------------------------------
    "api.unauthorized": {
        "fr": "le nœud refuse le jeton d'accès : le dossier --home est-il le bon ?",
        "en": "the node refuses the access token: is the --home folder the right one?",
    },
    "api.bad_request": {
        "fr": "requête refusée par le nœud ({detail})",
        "en": "the node refused the request ({detail})",
    },
    "api.contact_not_found": {
        "fr": "aucun contact ne correspond ; voyez `releve contacts`",
        "en": "no contact matches; see `releve contacts`",
    },
    "api.contact_ambiguous": {
        "fr": "plusieurs contacts correspondent, précisez le nom ({detail})",
        "en": "several contacts match, give the name in full ({detail})",
    },
    "api.message_not_found": {
        "fr": "aucun message avec cet identifiant ; voyez `releve inbox`",
        "en": "no message with that id; see `releve inbox`",
    },
    "api.invitation_invalid": {
        "fr": "ce n'est pas une invitation Relève, ou elle est abîmée : "
        "demandez une nouvelle invitation",
        "en": "this is not a Relève invitation, or it is damaged: ask for a new invitation",
    },
    "api.invitation_expired": {
        "fr": "l'invitation a expiré : demandez-en une nouvelle",
        "en": "the invitation has expired: ask for a new one",
    },
    "api.invitation_own": {
        "fr": "c'est l'invitation de votre propre nœud : elle doit être acceptée sur l'autre poste",
        "en": "this is your own node's invitation: it must be accepted on the other machine",
    },
    "api.already_paired": {
        "fr": "ce contact est déjà appairé ; voyez `releve contacts`",
        "en": "this contact is already paired; see `releve contacts`",
    },
    "api.text_too_long": {
        "fr": "le message est trop long : raccourcissez-le ou envoyez-le en plusieurs fois",
        "en": "the message is too long: shorten it or send it in several parts",
    },
    "api.internal": {
        "fr": "erreur interne du nœud ; les détails sont dans son journal (node.log)",
        "en": "internal error of the node; details are in its log (node.log)",
    },
    "api.not_found": {
        "fr": "le nœud ne connaît pas cette demande (versions différentes du client et du nœud ?)",
        "en": "the node does not know this request (different client and node versions?)",
    },
    "api.too_large": {
        "fr": "la demande est trop grosse pour le nœud",
        "en": "the request is too large for the node",
    },
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
    "error.revoke_needs_yes": {
        "fr": "sans terminal, confirmez la révocation avec --yes",
        "en": "without a terminal, confirm the revocation with --yes",
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
    "message.verified": {
        "fr": "Correspondant vérifié (numéro de sécurité comparé).",
        "en": "Verified correspondent (safety number compared).",
    },
    "message.unverified": {
        "fr": "Correspondant non vérifié : comparez le numéro de sécurité (releve verify).",
        "en": "Unverified correspondent: compare the safety number (releve verify).",
    },
    "message.unverified_mark": {
        "fr": "[non vérifié]",
        "en": "[unverified]",
    },
    "api.contact_inactive": {
        "fr": "vous n'êtes plus appairé avec ce contact (terminé ou révoqué) : appairez-vous "
        "de nouveau",
        "en": "you are no longer paired with this contact (ended or revoked): pair again",
    },
    "msgstatus.held": {
        "fr": "retenu (clé changée, à vérifier)",
        "en": "held (key changed, to verify)",
    },
    "api.store_unavailable": {
        "fr": "le nœud n'a pas pu enregistrer (disque plein ?) ; rien n'est perdu, réessayez "
        "et voyez son journal (node.log)",
        "en": "the node could not save (disk full?); nothing is lost, try again and see "
        "its log (node.log)",
    },
    "api.unknown": {
        "fr": "le nœud a refusé la demande ({code} : {detail})",
        "en": "the node refused the request ({code}: {detail})",
    },
    # -- init and node (node.errors.SetupError codes) -----------------------------------------
    "setup.home_exists": {
        "fr": "ce dossier contient déjà un nœud Relève : rien n'a été modifié",
        "en": "this folder already holds a Relève node: nothing was changed",
    },
    "setup.home_missing": {
        "fr": "aucun nœud dans ce dossier : créez-le d'abord avec `releve init`",
        "en": "no node in this folder: create it first with `releve init`",
    },
    "setup.invalid_name": {
        "fr": "nom invalide ({detail})",
        "en": "invalid name ({detail})",
    },
    "setup.invalid_role": {
        "fr": "rôle invalide ({detail})",
        "en": "invalid role ({detail})",
    },
    "setup.weak_passphrase": {
        "fr": "phrase secrète trop faible : choisissez-en une plus longue ({detail})",
        "en": "passphrase too weak: choose a longer one ({detail})",
    },
    "setup.invalid_phone": {
        "fr": "numéro de téléphone invalide : des chiffres (6 à 20), espaces, points, + et - "
        "seulement",
        "en": "invalid phone number: digits (6 to 20), spaces, dots, + and - only",
    },
    "setup.home_unwritable": {
        "fr": "le dossier du nœud ne peut pas être écrit ({detail}) : vérifiez le disque "
        "(plein ou en lecture seule) et les droits du dossier",
        "en": "the node's folder cannot be written ({detail}): check the disk "
        "(full or read-only) and the folder's permissions",
    },
    "setup.wrong_passphrase": {
        "fr": "phrase secrète incorrecte",
        "en": "wrong passphrase",
    },
    "setup.passphrase_required": {
        "fr": "ce nœud est protégé par une phrase secrète : lancez-le dans un terminal "
        "ou donnez --passphrase-file FICHIER",
        "en": "this node is protected by a passphrase: start it in a terminal "
        "or give --passphrase-file FILE",
    },
    "setup.node_running": {
        "fr": "un nœud tourne déjà pour ce dossier (voyez `releve status`)",
        "en": "a node is already running for this folder (see `releve status`)",
    },
    "setup.address_in_use": {
        "fr": "l'adresse d'écoute est déjà utilisée : choisissez un autre port avec --listen",
        "en": "the listening address is already in use: choose another port with --listen",
    },
    "setup.database_too_new": {
        "fr": "la base de données vient d'une version plus récente de Relève : "
        "mettez Relève à jour",
        "en": "the database comes from a newer version of Relève: update Relève",
    },
    "setup.invalid_listen": {
        "fr": "adresse d'écoute invalide ({detail}) ; exemple : --listen 0.0.0.0:7301",
        "en": "invalid listening address ({detail}); example: --listen 0.0.0.0:7301",
    },
    "setup.invalid_config": {
        "fr": "configuration invalide dans config.toml ou les variables RELEVE_... ({detail})",
        "en": "invalid configuration in config.toml or the RELEVE_... variables ({detail})",
    },
    "setup.keyring_damaged": {
        "fr": "le trousseau de clés (keyring.json) est abîmé : restaurez le dossier "
        "depuis une sauvegarde",
        "en": "the keyring (keyring.json) is damaged: restore the folder from a backup",
    },
    "setup.key_file_missing": {
        "fr": "le fichier de clé node.key manque (nœud sans phrase secrète) : restaurez-le "
        "depuis une sauvegarde",
        "en": "the key file node.key is missing (node without passphrase): restore it "
        "from a backup",
    },
    "setup.database_error": {
        "fr": "la base de données ne peut pas être ouverte ({detail})",
        "en": "the database cannot be opened ({detail})",
    },
    "setup.invalid_relay": {
        "fr": "adresse de relais invalide : un relais s'écrit http://hôte:port ou "
        "https://hôte[:port]",
        "en": "invalid relay address: a relay is written http://host:port or https://host[:port]",
    },
    "setup.unknown": {
        "fr": "le nœud ne peut pas démarrer ({code} : {detail})",
        "en": "the node cannot start ({code}: {detail})",
    },
    # -- init and node -----------------------------------------------------------------------
    "prompt.new_passphrase": {
        "fr": "Choisissez la phrase secrète du nœud : ",
        "en": "Choose the node's passphrase: ",
    },
    "prompt.repeat_passphrase": {
        "fr": "Saisissez-la une seconde fois : ",
        "en": "Enter it a second time: ",
    },
    "prompt.passphrase": {
        "fr": "Phrase secrète du nœud : ",
        "en": "The node's passphrase: ",
    },
    "init.done": {
        "fr": "Nœud créé dans {home} : {name} ({role}).",
        "en": "Node created in {home}: {name} ({role}).",
    },
    "init.node_id": {
        "fr": "Identifiant du nœud : {node_id}",
        "en": "Node id: {node_id}",
    },
    "init.unattended_warning": {
        "fr": "Attention : sans phrase secrète, la clé est dans {key_file}. Qui peut lire ce "
        "dossier peut lire les messages : réservez ce mode à un serveur protégé.",
        "en": "Warning: without a passphrase the key is in {key_file}. Whoever can read this "
        "folder can read the messages: keep this mode for a protected server.",
    },
    "init.next": {
        "fr": "Démarrez-le avec : releve {home_option}node",
        "en": "Start it with: releve {home_option}node",
    },
    "node.starting": {
        "fr": "Démarrage du nœud de {home} (Ctrl-C pour l'arrêter)…",
        "en": "Starting the node of {home} (Ctrl-C to stop it)…",
    },
    # -- status ------------------------------------------------------------------------------
    "status.node": {"fr": "Nœud : {name} ({role})", "en": "Node: {name} ({role})"},
    "status.node_id": {"fr": "Identifiant : {node_id}", "en": "Node id: {node_id}"},
    "status.started": {"fr": "Démarré le : {when}", "en": "Started: {when}"},
    "status.endpoints": {
        "fr": "Joignable directement sur : {endpoints}",
        "en": "Reachable directly at: {endpoints}",
    },
    "status.no_endpoints": {
        "fr": "Joignable directement : non (relais seulement)",
        "en": "Reachable directly: no (relays only)",
    },
    "status.contacts": {"fr": "Contacts : {count}", "en": "Contacts: {count}"},
    "status.unread": {"fr": "Messages non lus : {count}", "en": "Unread messages: {count}"},
    "status.outbox": {
        "fr": "À envoyer : {pending} en attente, {failed} non remis",
        "en": "Outbox: {pending} pending, {failed} failed",
    },
    "status.outbox_contact": {
        "fr": "  pour {name} : {pending} en attente, {failed} non remis",
        "en": "  to {name}: {pending} pending, {failed} failed",
    },
    "status.no_relays": {"fr": "Relais : aucun", "en": "Relays: none"},
    "status.relay_connected": {
        "fr": "Relais {url} : connecté (dernier contact {when})",
        "en": "Relay {url}: connected (last contact {when})",
    },
    "status.relay_disconnected": {
        "fr": "Relais {url} : déconnecté (dernier contact {when})",
        "en": "Relay {url}: disconnected (last contact {when})",
    },
    # -- pairing and contacts ----------------------------------------------------------------
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
    "error.print_format": {
        "fr": "la page à imprimer est une page HTML, pas un PDF : donnez un nom en .html "
        "(par exemple --print {suggestion}), ouvrez-la dans le navigateur et choisissez "
        "Imprimer (ou « Enregistrer au format PDF »)",
        "en": "the printable page is an HTML page, not a PDF: give a name ending in .html "
        '(for example --print {suggestion}), open it in the browser and choose Print (or "Save '
        'as PDF")',
    },
    "error.image_unreadable": {
        "fr": "impossible de lire l'image {path} ({reason})",
        "en": "cannot read the image {path} ({reason})",
    },
    "error.image_not_image": {
        "fr": "{path} n'est pas une image lisible : donnez une photo ou une capture d'écran "
        "en PNG ou en JPEG",
        "en": "{path} is not a readable image: give a photo or a screenshot as PNG or JPEG",
    },
    "error.image_too_large": {
        "fr": "l'image {path} est trop grande : recadrez-la autour du QR code ou réduisez-la",
        "en": "the image {path} is too large: crop it around the QR code or shrink it",
    },
    "error.image_no_qr": {
        "fr": "aucun QR code trouvé sur l'image {path} : reprenez la photo de plus près, nette, "
        "bien éclairée, le QR code entier dans le cadre, ou tapez le texte de l'invitation",
        "en": "no QR code found in the image {path}: take the photo again, closer, sharp and "
        "well lit, with the whole QR code in the frame, or type the invitation text",
    },
    "error.image_not_invitation": {
        "fr": "le QR code de l'image {path} n'est pas une invitation Relève (son texte ne "
        "commence pas par releve:) : photographiez le QR code de l'invitation",
        "en": "the QR code in the image {path} is not a Relève invitation (its text does not "
        "start with releve:): photograph the invitation's QR code",
    },
    "error.image_several": {
        "fr": "l'image {path} contient {count} invitations Relève différentes : "
        "recadrez-la sur une seule",
        "en": "the image {path} holds {count} different Relève invitations: crop it to one",
    },
    "api.invitation_used": {
        "fr": "cette invitation a déjà servi (elle ne sert qu'une fois) : "
        "demandez une nouvelle invitation",
        "en": "this invitation was already used (it works once only): ask for a new invitation",
    },
    # -- pairing by phone (releve pair call / join; docs/pairing-guide.md) --------------------
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
    "api.no_relay": {
        "fr": "ce nœud n'utilise aucun relais : donnez-en un avec --relay URL (le même que "
        "votre correspondant), ou démarrez le nœud avec --relay",
        "en": "this node uses no relay: give one with --relay URL (the same as your "
        "correspondent's), or start the node with --relay",
    },
    "api.relay_invalid": {
        "fr": "adresse de relais invalide : écrivez http://hôte:port ou https://hôte[:port]",
        "en": "invalid relay address: write http://host:port or https://host[:port]",
    },
    "api.code_invalid": {
        "fr": "ce n'est pas un code valable : un nombre puis trois mots, comme "
        "7-lapin-orage-tigre ; faites-vous relire le code",
        "en": "this is not a valid code: a number then three words, like 7-lapin-orage-tigre; "
        "ask for the code to be read again",
    },
    "api.wrong_code": {
        "fr": "les deux postes n'ont pas le même code : rien n'a été appairé, et ce code ne sert "
        "plus. Celui qui appelle relance `releve pair call` et relit lentement le nouveau code",
        "en": "the two machines do not have the same code: nothing was paired, and this code no "
        "longer works. The caller runs `releve pair call` again and reads the new code slowly",
    },
    "api.code_unknown": {
        "fr": "le relais ne connaît pas ce code : vérifiez le nombre, et que vous utilisez tous "
        "les deux le même relais (il est affiché sous le code chez votre correspondant ; sinon "
        "--relay URL). S'il a expiré, demandez un nouveau code",
        "en": "the relay does not know this code: check the number, and that you both use the "
        "same relay (it is shown under the code on your correspondent's screen; otherwise "
        "--relay URL). If it has expired, ask for a new code",
    },
    "api.call_not_found": {
        "fr": "cet appel est inconnu du nœud (terminé depuis longtemps, ou nœud redémarré) : "
        "relancez `releve pair call`",
        "en": "the node does not know this call (finished long ago, or the node restarted): "
        "run `releve pair call` again",
    },
    "api.code_used": {
        "fr": "ce code a déjà servi (un code ne sert qu'une fois) : demandez un nouveau code",
        "en": "this code was already used (a code works once only): ask for a new code",
    },
    "api.peer_left": {
        "fr": "votre correspondant s'est déconnecté avant la fin : rien n'a été appairé ; "
        "recommencez avec un nouveau code (`releve pair call`)",
        "en": "your correspondent disconnected before the end: nothing was paired; start again "
        "with a new code (`releve pair call`)",
    },
    "api.cancelled": {
        "fr": "l'appel a été annulé sur ce poste : rien n'a été appairé",
        "en": "the call was cancelled on this machine: nothing was paired",
    },
    "api.code_expired": {
        "fr": "le code a expiré avant que votre correspondant ne le tape : relancez "
        "`releve pair call` quand il est prêt",
        "en": "the code expired before your correspondent typed it: run `releve pair call` "
        "again when they are ready",
    },
    "api.too_many_calls": {
        "fr": "trop d'appels en attente sur ce nœud : terminez-en un (Ctrl-C) avant d'en "
        "commencer un autre",
        "en": "too many calls waiting on this node: finish one (Ctrl-C) before starting another",
    },
    "api.pairing_failed": {
        "fr": "l'appairage par téléphone a échoué (le poste de votre correspondant ou le relais a "
        "répondu de travers) : rien n'a été appairé ; réessayez avec un nouveau code",
        "en": "pairing by phone failed (your correspondent's machine or the relay answered "
        "wrongly): nothing was paired; try again with a new code",
    },
    "api.relay_unreachable": {
        "fr": "le relais ne répond pas : vérifiez son adresse et le réseau, ou choisissez-en un "
        "autre avec --relay URL (le même des deux côtés)",
        "en": "the relay does not answer: check its address and the network, or choose another "
        "one with --relay URL (the same on both sides)",
    },
    "api.relay_busy": {
        "fr": "le relais est occupé ou redémarre : réessayez dans une minute",
        "en": "the relay is busy or restarting: try again in a minute",
    },
    "api.pairing_timeout": {
        "fr": "l'appairage par téléphone n'a pas abouti à temps : recommencez avec un nouveau code",
        "en": "pairing by phone did not finish in time: start again with a new code",
    },
    # -- the printable invitation page: both languages on the same page ---------------------
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
    # -- messages ----------------------------------------------------------------------------
    "send.queued": {
        "fr": "Message pour {name} mis en file d'envoi (identifiant {message_id}). "
        "Suivi : `releve status`.",
        "en": "Message to {name} queued (id {message_id}). Follow-up: `releve status`.",
    },
    "inbox.empty": {"fr": "Aucun nouveau message.", "en": "No new messages."},
    "inbox.count": {
        "fr": "Messages non lus : {count}",
        "en": "Unread messages: {count}",
    },
    "inbox.hint": {
        "fr": "Pour lire un message et envoyer l'accusé de lecture : releve read ID_MESSAGE",
        "en": "To read a message and send the read receipt: releve read MESSAGE_ID",
    },
    "message.summary_in": {
        "fr": "{when} de {name} [{message_id}]",
        "en": "{when} from {name} [{message_id}]",
    },
    "message.summary_out": {
        "fr": "{when} à {name} [{message_id}] : {status}",
        "en": "{when} to {name} [{message_id}]: {status}",
    },
    "message.from": {"fr": "De : {name}", "en": "From: {name}"},
    "message.to": {"fr": "À : {name}", "en": "To: {name}"},
    "message.sent_at": {"fr": "Envoyé le : {when}", "en": "Sent: {when}"},
    "message.received_at": {"fr": "Reçu le : {when}", "en": "Received: {when}"},
    "message.status": {"fr": "Statut : {status}", "en": "Status: {status}"},
    "message.delivered_at": {"fr": "Remis le : {when}", "en": "Delivered: {when}"},
    "message.read_at": {"fr": "Lu le : {when}", "en": "Read: {when}"},
    "message.id": {"fr": "Identifiant : {message_id}", "en": "Id: {message_id}"},
    "message.kind": {"fr": "[message de type {kind}]", "en": "[message of kind {kind}]"},
    "read.receipt_sent": {
        "fr": "(Marqué comme lu : l'accusé de lecture est envoyé à l'expéditeur.)",
        "en": "(Marked read: the read receipt goes to the sender.)",
    },
    # -- demo --------------------------------------------------------------------------------
    "demo.intro": {
        "fr": "Démonstration de Relève : deux nœuds sur ce poste, données fictives "
        "(aucun patient réel).",
        "en": "Relève demonstration: two nodes on this machine, fictitious data (no real patient).",
    },
    "demo.step_init": {
        "fr": "1. Création des nœuds « {gp} » ({gp_role}) et « {pharmacy} » ({pharmacy_role}).",
        "en": '1. Creating the nodes "{gp}" ({gp_role}) and "{pharmacy}" ({pharmacy_role}).',
    },
    "demo.step_start": {
        "fr": "2. Démarrage des deux nœuds…",
        "en": "2. Starting both nodes…",
    },
    "demo.step_relay": {
        "fr": "   Un relais tourne sur {url} : {pharmacy}, derrière son pare-feu, ne reçoit que "
        "par lui.",
        "en": "   A relay runs on {url}: {pharmacy}, behind its firewall, receives only through "
        "it.",
    },
    "demo.node_ready_relay": {
        "fr": "   {name} : nœud {node_id}, joignable seulement par le relais",
        "en": "   {name}: node {node_id}, reachable through the relay only",
    },
    "demo.node_ready": {
        "fr": "   {name} : nœud {node_id}, joignable sur {endpoints}",
        "en": "   {name}: node {node_id}, reachable at {endpoints}",
    },
    "demo.step_invite": {
        "fr": "3. {gp} crée une invitation à usage unique (valable jusqu'à {expires}).",
        "en": "3. {gp} creates a one-time invitation (valid until {expires}).",
    },
    "demo.step_accept": {
        "fr": "4. {pharmacy} accepte l'invitation : {gp} est maintenant un contact.",
        "en": "4. {pharmacy} accepts the invitation: {gp} is now a contact.",
    },
    "demo.safety_number": {
        "fr": "   Numéro de sécurité, identique des deux côtés : {safety_number}",
        "en": "   Safety number, the same on both sides: {safety_number}",
    },
    "demo.step_send": {
        "fr": "5. {gp} → {pharmacy} : « {text} »",
        "en": '5. {gp} → {pharmacy}: "{text}"',
    },
    "demo.status_queued": {
        "fr": "   Statut chez {name} : {status}",
        "en": "   Status at {name}: {status}",
    },
    "demo.status": {
        "fr": "   Statut chez {name} : {status} à {when}",
        "en": "   Status at {name}: {status} at {when}",
    },
    "demo.step_received": {
        "fr": "6. {pharmacy} reçoit le message à {when}.",
        "en": "6. {pharmacy} receives the message at {when}.",
    },
    "demo.step_read": {
        "fr": "7. {pharmacy} lit le message : l'accusé de lecture part.",
        "en": "7. {pharmacy} reads the message: the read receipt goes out.",
    },
    "demo.step_reply": {
        "fr": "8. {pharmacy} → {gp} : « {text} »",
        "en": '8. {pharmacy} → {gp}: "{text}"',
    },
    "demo.step_reply_received": {
        "fr": "   {gp} reçoit la réponse à {when}.",
        "en": "   {gp} receives the reply at {when}.",
    },
    "demo.question": {
        "fr": "Bonjour, pouvez-vous renouveler pour un mois le traitement habituel de "
        "patient fictif ? L'ordonnance papier suit. Dr Camille Martin",
        "en": "Hello, could you renew the usual treatment of patient fictif for one month? "
        "The paper prescription follows. Dr Camille Martin",
    },
    "demo.answer": {
        "fr": "Bien reçu, le renouvellement est prêt au comptoir. Pharmacie du Port",
        "en": "Received, the renewal is ready at the counter. Pharmacie du Port",
    },
    "demo.done": {
        "fr": "Démonstration terminée : nœuds arrêtés, dossier temporaire supprimé.",
        "en": "Demonstration finished: nodes stopped, temporary folder deleted.",
    },
    "demo.cleaned": {
        "fr": "Nœuds arrêtés, dossier temporaire supprimé.",
        "en": "Nodes stopped, temporary folder deleted.",
    },
    "demo.interrupted": {
        "fr": "Démonstration interrompue.",
        "en": "Demonstration interrupted.",
    },
    "demo.timeout": {
        "fr": "délai dépassé ({seconds} s) en attendant : {what}",
        "en": "timed out ({seconds} s) waiting for: {what}",
    },
    "demo.what_init": {
        "fr": "la création du nœud de {name}",
        "en": "the creation of {name}'s node",
    },
    "demo.what_start": {
        "fr": "le démarrage du nœud de {name}",
        "en": "{name}'s node to start",
    },
    "demo.what_pairing": {
        "fr": "la fin de l'appairage chez {name}",
        "en": "the pairing to complete at {name}",
    },
    "demo.what_receive": {
        "fr": "l'arrivée du message chez {name}",
        "en": "the message to arrive at {name}",
    },
    "demo.what_delivered": {
        "fr": "l'accusé de réception chez {name}",
        "en": "the delivery receipt at {name}",
    },
    "demo.what_read": {
        "fr": "l'accusé de lecture chez {name}",
        "en": "the read receipt at {name}",
    },
    "demo.what_reply": {
        "fr": "l'arrivée de la réponse chez {name}",
        "en": "the reply to arrive at {name}",
    },
    "demo.init_failed": {
        "fr": "la création du nœud de {name} a échoué : {detail}",
        "en": "creating {name}'s node failed: {detail}",
    },
    "demo.node_exited": {
        "fr": "le nœud de {name} s'est arrêté (code {code})",
        "en": "{name}'s node stopped (code {code})",
    },
    "demo.message_failed": {
        "fr": "le message {message_id} n'a pas pu être remis",
        "en": "message {message_id} could not be delivered",
    },
    "demo.safety_mismatch": {
        "fr": "les numéros de sécurité diffèrent ({gp} / {pharmacy})",
        "en": "the safety numbers differ ({gp} / {pharmacy})",
    },
    "demo.log_tail": {
        "fr": "Fin du journal du nœud de {name} :",
        "en": "End of {name}'s node log:",
    },
}


def _merge(extra: Mapping[str, dict[str, str]]) -> None:
    clash = sorted(set(extra) & set(CATALOG))
    if clash:  # a programming error: two sentences for one key
        raise RuntimeError(f"catalog keys defined twice: {clash}")
    CATALOG.update(extra)


from .catalog_clinical import CLINICAL  # noqa: E402  (after CATALOG, which it extends)

_merge(CLINICAL)
