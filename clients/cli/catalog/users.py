"""A clinic server's people (issue #15): `releve user ...` (`releve utilisateur ...`)."""

from __future__ import annotations

from typing import Final

USERS: Final[dict[str, dict[str, str]]] = {
    "help.user": {
        "fr": "les personnes du serveur de cabinet : comptes, mots de passe, sessions",
        "en": "the clinic server's people: accounts, passwords, sessions",
    },
    "help.utilisateur": {
        "fr": "les personnes du serveur de cabinet (comme user)",
        "en": "the clinic server's people (same as user)",
    },
    "help.user_add": {
        "fr": "ajouter une personne ; elle reçoit un lien pour choisir son mot de passe",
        "en": "add a person; they get a link to choose their password",
    },
    "help.user_list": {
        "fr": "lister les personnes, leur état et leurs sessions ouvertes",
        "en": "list the people, their state and their open sessions",
    },
    "help.user_disable": {
        "fr": "désactiver un compte : la personne est déconnectée partout, tout de suite",
        "en": "disable an account: the person is logged out everywhere, at once",
    },
    "help.user_enable": {"fr": "réactiver un compte", "en": "enable an account again"},
    "help.user_reset": {
        "fr": "oublier le mot de passe (oublié ou divulgué) et donner un nouveau lien",
        "en": "forget the password (forgotten or leaked) and give a new link",
    },
    "help.user_end_session": {
        "fr": "fermer une session web (son identifiant : releve user list)",
        "en": "end a web session (its handle: releve user list)",
    },
    "help.user_actions": {
        "fr": "ce qu'une personne a fait, d'après le journal d'audit (les plus récentes d'abord)",
        "en": "what a person did, from the audit log (newest first)",
    },
    "help.user_limit": {
        "fr": "combien d'actions au plus (200 par défaut)",
        "en": "how many actions at most (200 by default)",
    },
    "user.actions": {"fr": "Actions de {name} :", "en": "{name}'s actions:"},
    "user.no_actions": {
        "fr": "Aucune action enregistrée pour {name}.",
        "en": "No action recorded for {name}.",
    },
    "help.user_name": {
        "fr": "le nom de la personne ou son identifiant de compte",
        "en": "the person's name or account id",
    },
    "help.user_new_name": {
        "fr": "le nom de la personne (ex. « Dr Camille Martin »)",
        "en": "the person's name (e.g. “Dr Camille Martin”)",
    },
    "help.user_role": {
        "fr": "clinician (soignant), secretary (secretariat) ou admin",
        "en": "clinician, secretary or admin",
    },
    "help.user_rpps": {
        "fr": "le numéro RPPS d'un soignant prescripteur (11 chiffres)",
        "en": "a prescribing clinician's RPPS number (11 digits)",
    },
    "help.user_session_handle": {
        "fr": "l'identifiant de la session (releve user list)",
        "en": "the session's handle (releve user list)",
    },
    "metavar.person": {"fr": "PERSONNE", "en": "USER"},
    "user.role.clinician": {"fr": "soignant", "en": "clinician"},
    "user.role.secretary": {"fr": "secrétariat", "en": "secretary"},
    "user.role.admin": {"fr": "administrateur", "en": "administrator"},
    "user.disabled": {"fr": "désactivé", "en": "disabled"},
    "user.waiting": {"fr": "mot de passe à choisir", "en": "password to be chosen"},
    "user.session": {
        "fr": "session {handle} : poste {address}, ouverte le {since}, active le {seen}",
        "en": "session {handle}: workstation {address}, opened {since}, active {seen}",
    },
    "user.none": {
        "fr": "Aucune personne. Ajoutez-en une : releve user add NOM --role admin",
        "en": "No one yet. Add someone: releve user add NAME --role admin",
    },
    "user.added": {"fr": "{name} est ajouté(e).", "en": "{name} is added."},
    "user.setup": {
        "fr": "Donnez ce lien (ou ce code) à {name}, en main propre ou par téléphone : il sert "
        "une fois, jusqu'au {until}, à choisir son mot de passe.",
        "en": "Give this link (or this code) to {name}, in person or by phone: it works once, "
        "until {until}, to choose their password.",
    },
    "user.setup_code": {"fr": "code : {code}", "en": "code: {code}"},
    "user.not_clinic_server": {
        "fr": "Ce nœud n'est pas un serveur de cabinet : les comptes ne servent qu'une fois "
        "[web] clinic_server = true (ou --web-listen) ; voir docs/operations.md.",
        "en": "This node is not a clinic server: accounts are used only once [web] "
        "clinic_server = true (or --web-listen); see docs/operations.md.",
    },
    "user.disabled_now": {
        "fr": "Le compte de {name} est désactivé ; ses sessions sont fermées.",
        "en": "{name}'s account is disabled; their sessions are ended.",
    },
    "user.enabled_now": {
        "fr": "Le compte de {name} est réactivé.",
        "en": "{name}'s account is enabled again.",
    },
    "user.reset_now": {
        "fr": "Le mot de passe de {name} est oublié ; ses sessions sont fermées.",
        "en": "{name}'s password is forgotten; their sessions are ended.",
    },
    "user.session_ended": {
        "fr": "La session de {name} est fermée.",
        "en": "{name}'s session is ended.",
    },
    "api.user_not_found": {
        "fr": "aucune personne ne porte ce nom ou cet identifiant ; voyez `releve user list`",
        "en": "no one has that name or account id; see `releve user list`",
    },
    "api.name_taken": {
        "fr": "une personne porte déjà ce nom (les majuscules ne comptent pas)",
        "en": "someone already has that name (case aside)",
    },
    "api.too_many_users": {
        "fr": "1 000 personnes au plus sur un serveur de cabinet",
        "en": "1,000 people at most on a clinic server",
    },
    "api.name_invalid": {
        "fr": "le nom doit tenir sur une ligne, 80 caractères au plus",
        "en": "the name must be one line, 80 characters at most",
    },
    "api.role_invalid": {
        "fr": "le rôle est clinician, secretary ou admin",
        "en": "the role is clinician, secretary or admin",
    },
    "api.rpps_invalid": {
        "fr": "le numéro RPPS a 11 chiffres (le dernier est une clé) ; seul un soignant en a un",
        "en": "the RPPS number has 11 digits (the last a check digit); only a clinician has one",
    },
    "api.session_not_found": {
        "fr": "aucune session web ouverte ne porte cet identifiant ; voyez `releve user list`",
        "en": "no open web session has that handle; see `releve user list`",
    },
}
