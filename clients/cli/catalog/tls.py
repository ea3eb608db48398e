"""The web client on a clinic server's LAN over TLS (issue #15): `releve node --web-listen`,
its refusals at start, and `releve tls ca` (`releve tls ac`)."""

from __future__ import annotations

from typing import Final

TLS: Final[dict[str, dict[str, str]]] = {
    "help.web_listen": {
        "fr": "servir le poste dans le navigateur sur cette adresse du réseau du cabinet, en "
        "HTTPS (exemple : 0.0.0.0:8443)",
        "en": "serve the web client on this address of the practice's network, over HTTPS "
        "(example: 0.0.0.0:8443)",
    },
    "help.web_name": {
        "fr": "un nom ou une adresse de plus sous lequel les postes joignent ce serveur "
        "(répétable)",
        "en": "another name or address the workstations reach this server by (repeatable)",
    },
    "help.web_tls": {
        "fr": "auto (par défaut : HTTPS hors de 127.0.0.1), ca (HTTPS toujours) ou off (HTTP, "
        "refusé hors de 127.0.0.1)",
        "en": "auto (the default: HTTPS off 127.0.0.1), ca (HTTPS always) or off (HTTP, "
        "refused off 127.0.0.1)",
    },
    "help.tls_cert": {
        "fr": "le certificat du cabinet (PEM) au lieu de celui de l'autorité du cabinet",
        "en": "the practice's own certificate (PEM) instead of the practice authority's",
    },
    "help.tls_key": {
        "fr": "la clé privée (PEM, sans phrase secrète) du certificat de --tls-cert",
        "en": "the private key (PEM, without passphrase) of the --tls-cert certificate",
    },
    "metavar.web_name": {"fr": "NOM", "en": "NAME"},
    "help.tls": {
        "fr": "le HTTPS du serveur de cabinet : son autorité de certification",
        "en": "the clinic server's HTTPS: its certificate authority",
    },
    "help.tls_ca": {
        "fr": "afficher l'empreinte de l'autorité de certification du cabinet et écrire son "
        "certificat, à installer sur les postes",
        "en": "show the fingerprint of the practice's certificate authority and write its "
        "certificate, to install on the workstations",
    },
    "help.tls_ac": {
        "fr": "afficher l'autorité de certification du cabinet (comme ca)",
        "en": "show the practice's certificate authority (same as ca)",
    },
    "help.tls_out": {
        "fr": "où écrire le certificat (par défaut : releve-ca.crt)",
        "en": "where to write the certificate (default: releve-ca.crt)",
    },
    "help.tls_new": {
        "fr": "oublier l'autorité actuelle : le nœud en crée une nouvelle à son prochain "
        "démarrage (à réinstaller sur chaque poste)",
        "en": "forget the current authority: the node makes a new one at its next start "
        "(to install again on every workstation)",
    },
    "tls.no_ca": {
        "fr": "ce nœud n'a pas encore d'autorité de certification : démarrez-le une fois avec "
        "`releve node --web-listen 0.0.0.0:8443`, il la crée",
        "en": "this node has no certificate authority yet: start it once with "
        "`releve node --web-listen 0.0.0.0:8443`, it makes one",
    },
    "tls.ca_unreadable": {
        "fr": "le certificat de l'autorité ({path}) est illisible : `releve tls ac --new`, "
        "puis redémarrez le nœud",
        "en": "the authority's certificate ({path}) cannot be read: `releve tls ca --new`, "
        "then start the node again",
    },
    "tls.file_exists": {
        "fr": "{path} existe déjà et contient autre chose : choisissez un autre nom avec --out",
        "en": "{path} already exists and holds something else: choose another name with --out",
    },
    "tls.unreadable": {
        "fr": "{path} ne peut pas être lu ({reason}) : lancez la commande avec le compte du "
        "service ou avec sudo",
        "en": "{path} cannot be read ({reason}): run the command as the service's account or "
        "with sudo",
    },
    "tls.unwritable": {
        "fr": "{path} ne peut pas être écrit ({reason})",
        "en": "{path} cannot be written ({reason})",
    },
    "tls.ca_title": {
        "fr": "Autorité de certification du cabinet : {subject}",
        "en": "The practice's certificate authority: {subject}",
    },
    "tls.ca_until": {"fr": "Valable jusqu'au : {date}", "en": "Valid until: {date}"},
    "tls.ca_names": {
        "fr": "Ne peut garantir que : {names}",
        "en": "Can vouch for nothing but: {names}",
    },
    "tls.sha256": {
        "fr": "Empreinte SHA-256 : {fingerprint}",
        "en": "SHA-256 fingerprint: {fingerprint}",
    },
    "tls.sha1": {
        "fr": "Empreinte SHA-1 (celle qu'affiche Windows) : {fingerprint}",
        "en": "SHA-1 fingerprint (the one Windows shows): {fingerprint}",
    },
    "tls.written": {
        "fr": "Certificat écrit dans {path} : installez-le sur chaque poste (docs/operations.md, "
        "« Serveur de cabinet »).",
        "en": "Certificate written to {path}: install it on every workstation "
        '(docs/operations.md, "Clinic server").',
    },
    "tls.compare": {
        "fr": "Sur chaque poste, vérifiez que l'empreinte affichée à l'installation est celle-ci.",
        "en": "On every workstation, check that the fingerprint shown when installing is this one.",
    },
    "tls.forgotten": {
        "fr": "Autorité de certification oubliée. Au prochain démarrage, le nœud en crée une "
        "nouvelle : retirez l'ancienne des postes et installez la nouvelle (`releve tls ac`).",
        "en": "Certificate authority forgotten. At its next start the node makes a new one: "
        "remove the old one from the workstations and install the new one (`releve tls ca`).",
    },
    "tls.none_to_forget": {
        "fr": "Ce nœud n'avait pas d'autorité de certification : rien n'a été modifié.",
        "en": "This node had no certificate authority: nothing was changed.",
    },
    "status.web": {
        "fr": "Poste dans le navigateur : {url}",
        "en": "Web client: {url}",
    },
    "status.web_tls": {
        "fr": "Poste dans le navigateur : {url} (HTTPS, certificat valable jusqu'au {when})",
        "en": "Web client: {url} (HTTPS, certificate valid until {when})",
    },
    "setup.web_needs_tls": {
        "fr": "le poste dans le navigateur ne peut pas être servi sur le réseau sans HTTPS : "
        "mots de passe et données de patients y passeraient en clair. Laissez [web] tls à "
        "auto, ou donnez --tls-cert et --tls-key ({detail})",
        "en": "the web client cannot be served on the network without HTTPS: passwords and "
        "patient data would cross it in the clear. Leave [web] tls at auto, or give "
        "--tls-cert and --tls-key ({detail})",
    },
    "setup.invalid_web_name": {
        "fr": "nom de serveur invalide : un nom (lettres, chiffres, tirets, points) ou une "
        "adresse IP ({detail})",
        "en": "invalid server name: a host name (letters, digits, hyphens, dots) or an IP "
        "address ({detail})",
    },
    "setup.tls_no_names": {
        "fr": "aucun nom ni adresse pour le certificat du serveur : donnez --web-name NOM "
        "({detail})",
        "en": "no name or address for the server's certificate: give --web-name NAME ({detail})",
    },
    "setup.tls_names_changed": {
        "fr": "l'autorité de certification du cabinet ne couvre aucun des noms de ce serveur "
        "(nouvelle adresse ?) : `releve tls ac --new`, redémarrez le nœud, puis installez la "
        "nouvelle autorité sur les postes ({detail})",
        "en": "the practice's certificate authority covers none of this server's names (a new "
        "address?): `releve tls ca --new`, start the node again, then install the new "
        "authority on the workstations ({detail})",
    },
    "setup.tls_unreadable": {
        "fr": "certificat ou clé du serveur inutilisable ({detail})",
        "en": "the server's certificate or key cannot be used ({detail})",
    },
    "setup.tls_ca_damaged": {
        "fr": "la clé de l'autorité de certification du cabinet est illisible avec la clé de ce "
        "nœud : `releve tls ac --new`, puis redémarrez le nœud ({detail})",
        "en": "the key of the practice's certificate authority cannot be read with this "
        "node's key: `releve tls ca --new`, then start the node again ({detail})",
    },
}
