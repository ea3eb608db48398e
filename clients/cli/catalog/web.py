"""`releve open` (`releve ouvrir`): the web client in the browser."""

from __future__ import annotations

from typing import Final

WEB: Final[dict[str, dict[str, str]]] = {
    "help.open": {
        "fr": "ouvrir Relève dans le navigateur (connecté par un lien à usage unique)",
        "en": "open Relève in the browser (logged in by a one-time link)",
    },
    "help.ouvrir": {
        "fr": "ouvrir Relève dans le navigateur (comme open)",
        "en": "open Relève in the browser (same as open)",
    },
    "help.no_browser": {
        "fr": "afficher seulement le lien, sans ouvrir de navigateur",
        "en": "only print the link, without opening a browser",
    },
    "open.link": {
        "fr": "Lien de connexion (valable une seule fois, moins d'une minute) :",
        "en": "Login link (works once, for less than a minute):",
    },
    "open.login_page": {
        "fr": "Serveur de cabinet : connectez-vous avec votre nom et votre mot de passe sur "
        "cette page :",
        "en": "Clinic server: log in with your name and password on this page:",
    },
    "open.opened": {
        "fr": "Relève s'ouvre dans votre navigateur.",
        "en": "Relève is opening in your browser.",
    },
    "open.no_browser": {
        "fr": "Aucun navigateur n'a pu être ouvert ici : ouvrez ce lien dans un navigateur de ce "
        "poste.",
        "en": "No browser could be opened here: open this link in a browser on this machine.",
    },
    "open.unavailable": {
        "fr": "ce nœud ne sert pas le poste dans le navigateur (version trop ancienne ?) : "
        "redémarrez-le avec `releve node`",
        "en": "this node does not serve the web client (an older version?): restart it with "
        "`releve node`",
    },
}
