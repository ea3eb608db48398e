"""The node as a service of the machine (`releve service install | uninstall | status`) and
the installation itself (`releve --version`)."""

from __future__ import annotations

from typing import Final

SERVICE: Final[dict[str, dict[str, str]]] = {
    "help.service": {
        "fr": "démarrer le nœud avec la machine (service systemd, launchd ou Windows)",
        "en": "start the node with the machine (systemd, launchd or Windows service)",
    },
    "help.service_install": {
        "fr": "installer et démarrer le service du nœud (administrateur)",
        "en": "install and start the node's service (administrator)",
    },
    "help.service_uninstall": {
        "fr": "arrêter et retirer le service (le dossier du nœud est gardé)",
        "en": "stop and remove the service (the node's folder is kept)",
    },
    "help.service_status": {
        "fr": "dire si le service est installé et s'il tourne",
        "en": "say whether the service is installed and running",
    },
    "help.service_print": {
        "fr": "afficher le fichier de service sans rien installer (pour relecture)",
        "en": "show the service file without installing anything (for review)",
    },
    "help.service_user": {
        "fr": "compte système dédié qui fait tourner le nœud (défaut : releve sous Linux, "
        "_releve sous macOS)",
        "en": "dedicated system account that runs the node (default: releve on Linux, "
        "_releve on macOS)",
    },
    "help.service_passphrase": {
        "fr": "fichier de la phrase secrète, remis au service comme « credential » systemd "
        "(Linux ; sans lui le dossier doit avoir été créé avec --unattended)",
        "en": "passphrase file, handed to the service as a systemd credential (Linux; "
        "without it the folder must have been created with --unattended)",
    },
    "help.version": {
        "fr": "afficher la version installée de Relève",
        "en": "show the installed version of Relève",
    },
    "metavar.user": {"fr": "UTILISATEUR", "en": "USER"},
    "service.no_home": {
        "fr": "aucun nœud dans {home} : créez-le d'abord avec "
        "`releve --home {home} init --unattended --name ...`",
        "en": "no node in {home}: create it first with "
        "`releve --home {home} init --unattended --name ...`",
    },
    "service.needs_unattended": {
        "fr": "le nœud de {home} est protégé par une phrase secrète : un service démarre sans "
        "personne pour la taper. Créez-le avec --unattended, ou (Linux) donnez "
        "--passphrase-file",
        "en": "the node in {home} is protected by a passphrase: a service starts with nobody "
        "to type it. Create it with --unattended, or (Linux) give --passphrase-file",
    },
    "service.no_free_id": {
        "fr": "aucun identifiant libre entre {first} et {last} pour le compte système du "
        "service : créez le compte vous-même et donnez-le avec --user",
        "en": "no free id between {first} and {last} for the service's system account: "
        "create the account yourself and give it with --user",
    },
    "service.macos_python_in_users": {
        "fr": "Attention : Relève est installé dans un dossier personnel ({python}), que le "
        "compte {user} ne peut normalement pas lire : le service ne démarrerait pas. "
        "Installez Relève hors de /Users (par exemple dans /usr/local ou /opt).",
        "en": "Warning: Relève is installed in a personal folder ({python}), which the "
        "account {user} normally cannot read: the service would not start. Install Relève "
        "outside /Users (for example in /usr/local or /opt).",
    },
    "service.launchd_state": {
        "fr": "Service launchd {name} : {state}.",
        "en": "launchd service {name}: {state}.",
    },
    "service.launchd_logs_hint": {
        "fr": "Journal : node.log dans le dossier du nœud ; détail : "
        "`sudo launchctl print system/{name}`.",
        "en": "Log: node.log in the node's folder; details: `sudo launchctl print system/{name}`.",
    },
    "service.needs_root": {
        "fr": "il faut être administrateur (root) : relancez avec sudo, ou utilisez --print "
        "pour seulement voir le fichier",
        "en": "this needs the administrator (root): run it again with sudo, or use --print "
        "to only see the file",
    },
    "service.command_failed": {
        "fr": "la commande « {command} » a échoué : {detail}",
        "en": "the command “{command}” failed: {detail}",
    },
    "service.user_created": {
        "fr": "Compte système « {user} » créé.",
        "en": "System account “{user}” created.",
    },
    "service.unit_written": {
        "fr": "Service écrit dans {path} : le nœud de {home} tournera sous le compte {user}.",
        "en": "Service written to {path}: the node of {home} will run as {user}.",
    },
    "service.no_systemctl": {
        "fr": "systemctl est absent : démarrez le service avec le gestionnaire de cette machine.",
        "en": "systemctl is missing: start the service with this machine's service manager.",
    },
    "service.started": {
        "fr": "Service {name} activé et démarré ; il redémarrera avec la machine. "
        "Vérifiez : `releve service status`.",
        "en": "Service {name} enabled and started; it will start again with the machine. "
        "Check: `releve service status`.",
    },
    "service.not_installed": {
        "fr": "Le service du nœud n'est pas installé.",
        "en": "The node's service is not installed.",
    },
    "service.removed": {
        "fr": "Service arrêté et retiré. Le dossier du nœud ({home}) est gardé, avec ses "
        "clés et ses messages.",
        "en": "Service stopped and removed. The node's folder ({home}) is kept, with its keys "
        "and messages.",
    },
    "service.unit_only": {
        "fr": "Le fichier de service est en place ({path}) mais systemctl est absent.",
        "en": "The service file is in place ({path}) but systemctl is missing.",
    },
    "service.systemd_state": {
        "fr": "Service {name} : démarrage avec la machine : {enabled} ; état : {active}.",
        "en": "Service {name}: starts with the machine: {enabled}; state: {active}.",
    },
    "service.logs_hint": {
        "fr": "Journal : `journalctl -u releve` (et node.log dans le dossier du nœud).",
        "en": "Log: `journalctl -u releve` (and node.log in the node's folder).",
    },
    "service.needs_pywin32": {
        "fr": "le service Windows a besoin de pywin32 : `pip install releve[windows]` (le "
        "paquet d'installation sur clé USB l'inclut)",
        "en": "the Windows service needs pywin32: `pip install releve[windows]` (the USB "
        "install bundle includes it)",
    },
    "service.windows_plan": {
        "fr": "Serait installé : le service Windows « {name} », démarrage automatique, compte "
        "LocalSystem, sur le dossier {home} (accès : LocalSystem et Administrateurs).",
        "en": "Would install: the Windows service “{name}”, automatic start, LocalSystem "
        "account, on the folder {home} (access: LocalSystem and Administrators).",
    },
    "service.windows_installed": {
        "fr": "Service Windows « {name} » installé et démarré, sur le dossier {home}. "
        "Vérifiez : `releve service status`.",
        "en": "Windows service “{name}” installed and started, on the folder {home}. "
        "Check: `releve service status`.",
    },
    "service.windows_removed": {
        "fr": "Service Windows « {name} » arrêté et retiré ; le dossier du nœud est gardé.",
        "en": "Windows service “{name}” stopped and removed; the node's folder is kept.",
    },
    "service.windows_state": {
        "fr": "Service Windows « {name} » : {state}.",
        "en": "Windows service “{name}”: {state}.",
    },
}
