"""Errors: the CLI's own, and the local API's codes (docs/local-api.md, "Errors")."""

from __future__ import annotations

from typing import Final

ERRORS: Final[dict[str, dict[str, str]]] = {
    "error.relay_config": {
        "fr": "réglage du relais invalide : {detail}",
        "en": "invalid relay setting: {detail}",
    },
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
    "error.system": {
        "fr": "le système a refusé : {reason} {path}",
        "en": "the system refused: {reason} {path}",
    },
    "error.contact_not_found_near": {
        "fr": "aucun contact ne correspond à « {given} » ; vouliez-vous dire « {suggestion} » ? "
        "(voyez `releve contacts`)",
        "en": 'no contact matches "{given}"; did you mean "{suggestion}"? (see `releve contacts`)',
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
    "error.revoke_needs_yes": {
        "fr": "sans terminal, confirmez la révocation avec --yes",
        "en": "without a terminal, confirm the revocation with --yes",
    },
    "api.contact_inactive": {
        "fr": "vous n'êtes plus appairé avec ce contact (terminé ou révoqué) : appairez-vous "
        "de nouveau",
        "en": "you are no longer paired with this contact (ended or revoked): pair again",
    },
    "api.store_unavailable": {
        "fr": "le nœud n'a pas pu enregistrer (disque plein ?) ; rien n'est perdu, réessayez "
        "et voyez son journal (node.log)",
        "en": "the node could not save (disk full?); nothing is lost, try again and see "
        "its log (node.log)",
    },
    "api.too_deep": {
        "fr": "la requête envoyée au nœud est imbriquée trop profondément : simplifiez le "
        "fichier JSON",
        "en": "the request sent to the node is nested too deeply: simplify the JSON file",
    },
    "api.non_finite_number": {
        "fr": "la requête envoyée au nœud contient un nombre invalide (infini ou trop grand)",
        "en": "the request sent to the node holds an invalid number (infinite or too large)",
    },
    "api.unknown": {
        "fr": "le nœud a refusé la demande ({code} : {detail})",
        "en": "the node refused the request ({code}: {detail})",
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
    "error.head_without_file": {
        "fr": "--head ne s'emploie qu'avec --file (un journal exporté)",
        "en": "--head goes with --file only (an exported log)",
    },
    "error.head_format": {
        "fr": "--head attend POSITION:EMPREINTE, par exemple 42:3f9a… (64 chiffres hexadécimaux)",
        "en": "--head takes POSITION:HASH, for instance 42:3f9a… (64 hexadecimal digits)",
    },
    "error.image_no_code": {
        "fr": "aucun QR code trouvé sur l'image {path} : reprenez la photo de plus près, nette, "
        "bien éclairée, le ou les QR codes de l'ordonnance entiers dans le cadre",
        "en": "no QR code found in the image {path}: take the photo again, closer, sharp and "
        "well lit, with the prescription's whole QR code(s) in the frame",
    },
    "error.image_not_prescription": {
        "fr": "aucun QR code de l'image {path} n'est celui d'une ordonnance Relève (son texte "
        "commence par RX1:) : photographiez le code imprimé sous l'ordonnance",
        "en": "no QR code in the image {path} is a Relève prescription's (its text starts with "
        "RX1:): photograph the code printed under the prescription",
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
    "error.accept_what": {
        "fr": "donnez le texte de l'invitation ou --image FICHIER, l'un des deux",
        "en": "give the invitation's text or --image FILE, one of the two",
    },
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
    "api.invalid_field": {
        "fr": "{field} : {reason}",
        "en": "{field}: {reason}",
    },
    "api.attachment_incomplete": {
        "fr": "la pièce jointe n'est pas encore complète et vérifiée ; réessayez quand elle "
        "l'est (releve show)",
        "en": "the attachment is not complete and checked yet; try again when it is (releve show)",
    },
    "api.not_prescriber": {
        "fr": "seul un nœud de médecin (rôle gp ou specialist) signe une ordonnance",
        "en": "only a physician's node (role gp or specialist) signs a prescription",
    },
    "api.prescriber_incomplete": {
        "fr": "votre profil de prescripteur est incomplet ({field}) : complétez la section "
        "[prescriber] de config.toml (nom, rpps, spécialité, adresse, courriel) et le téléphone, "
        "puis redémarrez le nœud",
        "en": "your prescriber profile is incomplete ({field}): fill in config.toml's "
        "[prescriber] section (name, rpps, specialty, address, email) and the phone, then "
        "restart the node",
    },
    "api.not_pharmacist": {
        "fr": "seul un nœud de pharmacien enregistre une délivrance",
        "en": "only a pharmacist's node reports dispensing",
    },
    "api.not_handoff": {
        "fr": "une reformulation répond à une transmission (SAED) reçue",
        "en": "a read-back answers a handoff (SAED) this node received",
    },
    "api.print_code_invalid": {
        "fr": "ce QR code n'est pas une ordonnance Relève lisible (incomplet, ou d'une autre "
        "version) : photographiez tous les codes imprimés sous l'ordonnance",
        "en": "this QR code is not a readable Relève prescription (incomplete, or another "
        "version): photograph every code printed under the prescription",
    },
    "api.print_signature_invalid": {
        "fr": "SIGNATURE NON VALABLE : le contenu de ce code a été modifié, ou il n'a pas été "
        "signé par la clé qu'il annonce. Ne vous fiez pas à cette ordonnance ; appelez le "
        "prescripteur",
        "en": "SIGNATURE NOT VALID: the content of this code was altered, or it was not signed "
        "by the key it names. Do not rely on this prescription; call the prescriber",
    },
    "api.prescription_not_found": {
        "fr": "aucune ordonnance avec cet identifiant",
        "en": "no prescription with that id",
    },
    "api.not_own_prescription": {
        "fr": "seule une ordonnance signée que vous avez envoyée peut être annulée ou modifiée",
        "en": "only a signed prescription you sent can be cancelled or amended",
    },
    "api.prescription_closed": {
        "fr": "cette ordonnance est déjà annulée ou remplacée",
        "en": "this prescription is already cancelled or replaced",
    },
    "api.prescription_failed": {
        "fr": "cette ordonnance n'a jamais été remise : rien à annuler",
        "en": "this prescription was never delivered: nothing to cancel",
    },
    "api.not_received": {
        "fr": "la délivrance s'enregistre sur une ordonnance reçue",
        "en": "dispensing is reported on a prescription you received",
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
    # -- causes given by the system (clients.cli.os_errors) -----------------------------------
    "oserror.EACCES": {"fr": "permission refusée", "en": "permission denied"},
    "oserror.EPERM": {"fr": "opération non permise", "en": "operation not permitted"},
    "oserror.ENOENT": {"fr": "fichier ou dossier introuvable", "en": "no such file or folder"},
    "oserror.EISDIR": {"fr": "c'est un dossier", "en": "it is a folder"},
    "oserror.ENOTDIR": {
        "fr": "une partie du chemin n'est pas un dossier",
        "en": "part of the path is not a folder",
    },
    "oserror.EEXIST": {"fr": "le fichier existe déjà", "en": "the file already exists"},
    "oserror.ENOSPC": {"fr": "disque plein", "en": "the disk is full"},
    "oserror.EDQUOT": {"fr": "quota disque dépassé", "en": "disk quota exceeded"},
    "oserror.EROFS": {"fr": "disque en lecture seule", "en": "read-only disk"},
    "oserror.ENAMETOOLONG": {"fr": "nom trop long", "en": "name too long"},
    "oserror.ELOOP": {"fr": "trop de liens symboliques", "en": "too many symbolic links"},
    "oserror.EMFILE": {
        "fr": "trop de fichiers ouverts par ce programme",
        "en": "too many files open in this program",
    },
    "oserror.ENFILE": {
        "fr": "trop de fichiers ouverts sur ce poste",
        "en": "too many files open on this machine",
    },
    "oserror.EIO": {
        "fr": "erreur de lecture ou d'écriture du disque",
        "en": "disk read or write error",
    },
    "oserror.EBUSY": {"fr": "ressource occupée", "en": "resource busy"},
    "oserror.ETXTBSY": {"fr": "fichier en cours d'utilisation", "en": "file in use"},
    "oserror.EXDEV": {
        "fr": "impossible entre deux disques différents",
        "en": "not possible across two different disks",
    },
    "oserror.EINVAL": {"fr": "demande invalide pour ce fichier", "en": "invalid for this file"},
    "oserror.EFBIG": {
        "fr": "fichier trop gros pour ce disque",
        "en": "file too large for this disk",
    },
    "oserror.ENOTEMPTY": {"fr": "le dossier n'est pas vide", "en": "the folder is not empty"},
    "oserror.ENOMEM": {"fr": "mémoire insuffisante", "en": "out of memory"},
    "oserror.ECONNREFUSED": {"fr": "connexion refusée", "en": "connection refused"},
    "oserror.ECONNRESET": {"fr": "connexion interrompue", "en": "connection reset"},
    "oserror.ECONNABORTED": {"fr": "connexion abandonnée", "en": "connection aborted"},
    "oserror.ETIMEDOUT": {"fr": "délai dépassé", "en": "timed out"},
    "oserror.EHOSTUNREACH": {"fr": "machine injoignable", "en": "host unreachable"},
    "oserror.ENETUNREACH": {"fr": "réseau injoignable", "en": "network unreachable"},
    "oserror.EADDRNOTAVAIL": {"fr": "adresse indisponible", "en": "address not available"},
    "oserror.EPIPE": {"fr": "l'autre côté a fermé", "en": "the other side closed"},
    "oserror.ENXIO": {"fr": "périphérique introuvable", "en": "no such device"},
    "oserror.ENODEV": {"fr": "périphérique introuvable", "en": "no such device"},
    "oserror.EOPNOTSUPP": {
        "fr": "opération non prise en charge ici",
        "en": "operation not supported here",
    },
    "oserror.other": {"fr": "erreur du système {code}", "en": "system error {code}"},
    "oserror.not_text": {
        "fr": "ce n'est pas du texte UTF-8",
        "en": "it is not UTF-8 text",
    },
    "oserror.no_temporary": {
        "fr": "aucun nom de fichier temporaire libre",
        "en": "no free temporary file name",
    },
    "oserror.json_value": {"fr": "valeur attendue", "en": "a value was expected"},
    "oserror.json_extra": {
        "fr": "texte en trop après la valeur",
        "en": "extra text after the value",
    },
    "oserror.json_name": {
        "fr": "nom de champ entre guillemets droits attendu",
        "en": "a field name in double quotes was expected",
    },
    "oserror.json_colon": {"fr": "« : » attendu", "en": '":" expected'},
    "oserror.json_comma": {"fr": "« , » attendue", "en": '"," expected'},
    "oserror.json_string": {"fr": "texte entre guillemets non fermé", "en": "unterminated string"},
    "oserror.json_control": {
        "fr": "caractère de contrôle dans un texte",
        "en": "control character in a string",
    },
    "oserror.json_escape": {"fr": "séquence « \\ » invalide", "en": 'invalid "\\" escape'},
    "oserror.json_trailing_comma": {
        "fr": "virgule en trop avant la fin",
        "en": "trailing comma before the end",
    },
    "oserror.json_other": {"fr": "syntaxe invalide", "en": "invalid syntax"},
}
