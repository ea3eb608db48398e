"""Creating and running this machine's node, its passphrase, its status; running a relay."""

from __future__ import annotations

from typing import Final

NODE: Final[dict[str, dict[str, str]]] = {
    "relay.starting": {
        "fr": "Démarrage du relais sur {listen} (Ctrl-C pour l'arrêter)…",
        "en": "Starting the relay on {listen} (Ctrl-C to stop it)…",
    },
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
    "setup.not_prescriber": {
        "fr": "seul un nœud de médecin (rôle gp ou specialist) a un profil de prescripteur",
        "en": "only a physician's node (role gp or specialist) has a prescriber profile",
    },
    "setup.invalid_rpps": {
        "fr": "numéro RPPS invalide : 11 chiffres dont une clé de contrôle ({detail})",
        "en": "invalid RPPS number: 11 digits including a check digit ({detail})",
    },
    "setup.invalid_email": {
        "fr": "adresse électronique invalide ({detail})",
        "en": "invalid e-mail address ({detail})",
    },
    "setup.invalid_specialty": {
        "fr": "spécialité invalide ({detail})",
        "en": "invalid specialty ({detail})",
    },
    "setup.invalid_address": {
        "fr": "adresse invalide ({detail})",
        "en": "invalid address ({detail})",
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
}
