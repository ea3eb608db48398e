"""The sentences of a clinic server's doors and people (screens/login.py, account.py,
users.py), French first, then English."""

from __future__ import annotations

from typing import Final

ACCOUNTS: Final[dict[str, tuple[str, str]]] = {
    # --- logging in -------------------------------------------------------------------------
    "login.title": ("Connexion", "Log in"),
    "login.intro": (
        "Connectez-vous avec votre nom et votre mot de passe.",
        "Log in with your name and your password.",
    ),
    "login.name": ("Nom", "Name"),
    "login.password": ("Mot de passe", "Password"),
    "login.submit": ("Se connecter", "Log in"),
    "login.failed": ("Nom ou mot de passe incorrect.", "Wrong name or password."),
    "login.failed_password": ("Mot de passe incorrect.", "Wrong password."),
    "login.slowed": (
        "Trop d'essais manqués : réessayez dans {seconds} s.",
        "Too many failed attempts: try again in {seconds} s.",
    ),
    "login.done": (
        "Votre mot de passe est enregistré : connectez-vous.",
        "Your password is saved: log in.",
    ),
    "login.forgotten": (
        "Mot de passe oublié, ou pas encore de compte : demandez à l'administrateur du cabinet.",
        "Forgotten password, or no account yet: ask the practice's administrator.",
    ),
    # --- choosing a password ------------------------------------------------------------
    "setup.title": ("Choisir votre mot de passe", "Choose your password"),
    "setup.for": ("Compte : {name}", "Account: {name}"),
    "setup.code": ("Code reçu de l'administrateur", "Code from the administrator"),
    "setup.password": ("Nouveau mot de passe", "New password"),
    "setup.again": ("Le même, encore une fois", "The same, once more"),
    "setup.hint": (
        "Au moins 10 caractères. Une phrase de plusieurs mots est facile à retenir.",
        "At least 10 characters. A sentence of several words is easy to remember.",
    ),
    "setup.submit": ("Enregistrer", "Save"),
    "setup.mismatch": ("Les deux mots de passe diffèrent.", "The two passwords differ."),
    "setup.password_too_short": (
        "Ce mot de passe est trop court (au moins 10 caractères).",
        "This password is too short (at least 10 characters).",
    ),
    "setup.password_too_long": ("Ce mot de passe est trop long.", "This password is too long."),
    "setup.password_invalid": ("Ce mot de passe n'est pas valable.", "This password is invalid."),
    "setup.setup_code_invalid": (
        "Ce code est inconnu, déjà utilisé ou expiré : demandez-en un nouveau à l'administrateur.",
        "This code is unknown, used or expired: ask the administrator for a new one.",
    ),
    "setup.disabled": ("Ce compte est désactivé.", "This account is disabled."),
    # --- the idle lock ------------------------------------------------------------------
    "lock.title": ("Écran verrouillé", "Screen locked"),
    "lock.body": (
        "Personne n'a utilisé cet écran depuis un moment. {name}, tapez votre mot de passe "
        "pour reprendre où vous en étiez.",
        "Nobody used this screen for a while. {name}, type your password to carry on where "
        "you were.",
    ),
    "lock.body_plain": (
        "Personne n'a utilisé cet écran depuis un moment : tapez votre mot de passe pour "
        "reprendre où vous en étiez.",
        "Nobody used this screen for a while: type your password to carry on where you were.",
    ),
    "lock.submit": ("Déverrouiller", "Unlock"),
    "lock.other": ("Ce n'est pas moi : se déconnecter", "Not me: log out"),
    # --- the frame ----------------------------------------------------------------------------
    "nav.account": ("Mon compte", "My account"),
    "nav.users": ("Utilisateurs", "Users"),
    "person.label": ("Connecté : {name}", "Logged in: {name}"),
    # --- a person's own page ---------------------------------------------------------------
    "account.title": ("Mon compte", "My account"),
    "account.name": ("Nom", "Name"),
    "account.role": ("Rôle", "Role"),
    "account.rpps": ("RPPS", "RPPS"),
    "account.sessions": ("Mes sessions ouvertes", "My open sessions"),
    "account.sessions_none": ("Aucune autre session.", "No other session."),
    "account.address": ("Poste (adresse)", "Workstation (address)"),
    "account.since": ("Ouverte le", "Opened"),
    "account.seen": ("Dernière activité", "Last activity"),
    "account.this": ("celle-ci", "this one"),
    "account.locked": ("verrouillée", "locked"),
    "account.end": ("Fermer", "End"),
    "account.password": ("Changer mon mot de passe", "Change my password"),
    "account.password_current": ("Mot de passe actuel", "Current password"),
    "account.password_submit": ("Changer le mot de passe", "Change the password"),
    "account.password_others": (
        "Vos autres sessions seront fermées.",
        "Your other sessions will be ended.",
    ),
    "account.password_changed": (
        "Votre mot de passe est changé ; vos autres sessions sont fermées.",
        "Your password is changed; your other sessions are ended.",
    ),
    "account.actions": ("Mes actions (journal d'audit)", "My actions (audit log)"),
    "account.actions_none": ("Aucune action enregistrée.", "No action recorded."),
    "account.when": ("Quand", "When"),
    "account.what": ("Quoi", "What"),
    "account.about": ("Concernant", "About"),
    "role.clinician": ("Soignant", "Clinician"),
    "role.secretary": ("Secrétariat", "Secretary"),
    "role.admin": ("Administrateur", "Administrator"),
    # the audit log's events, as a person reads them (docs/audit.md)
    "event.paired": ("appairage", "paired"),
    "event.unpaired": ("désappairage", "unpaired"),
    "event.revoked": ("identité révoquée", "identity revoked"),
    "event.verified": ("contact vérifié", "contact verified"),
    "event.sent": ("message envoyé", "message sent"),
    "event.read": ("message lu", "message read"),
    "event.acknowledged": ("message acquitté", "message acknowledged"),
    "event.exported": ("export", "exported"),
    "event.printed": ("impression", "printed"),
    "event.saved": ("fichier enregistré", "file saved"),
    "event.viewed": ("message consulté", "message viewed"),
    "event.escalated": ("contact de secours prévenu", "backup contact told"),
    "event.user_added": ("utilisateur ajouté", "user added"),
    "event.user_disabled": ("utilisateur désactivé", "user disabled"),
    "event.user_enabled": ("utilisateur réactivé", "user enabled"),
    "event.user_reset": ("mot de passe réinitialisé", "password reset"),
    "event.password_set": ("mot de passe choisi", "password chosen"),
    "event.login": ("connexion", "logged in"),
    "event.login_failed": ("connexion refusée", "failed login"),
    "event.unlocked": ("écran déverrouillé", "screen unlocked"),
    "event.logout": ("déconnexion", "logged out"),
    "event.session_ended": ("session fermée", "session ended"),
    "event.session_refused": (
        "session refusée (autre poste)",
        "session refused (another workstation)",
    ),
    # --- the admin's page -----------------------------------------------------------------
    "users.title": ("Utilisateurs du cabinet", "The practice's users"),
    "users.add": ("Ajouter un utilisateur", "Add a user"),
    "users.name": ("Nom", "Name"),
    "users.role": ("Rôle", "Role"),
    "users.rpps": ("RPPS (soignants prescripteurs)", "RPPS (prescribing clinicians)"),
    "users.submit": ("Ajouter", "Add"),
    "users.state": ("État", "State"),
    "users.active": ("actif", "active"),
    "users.disabled": ("désactivé", "disabled"),
    "users.waiting": ("mot de passe à choisir", "password to be chosen"),
    "users.sessions": ("Sessions", "Sessions"),
    "users.actions": ("Actions", "Actions"),
    "users.disable": ("Désactiver", "Disable"),
    "users.enable": ("Réactiver", "Enable"),
    "users.reset": ("Réinitialiser le mot de passe", "Reset the password"),
    "users.code_title": ("Code de première connexion", "First login code"),
    "users.code_body": (
        "Donnez ce lien (ou ce code) à {name}, en main propre ou par téléphone : il sert une "
        "fois, jusqu'au {until}, à choisir son mot de passe. Il ne sera plus affiché.",
        "Give this link (or this code) to {name}, in person or by phone: it works once, "
        "until {until}, to choose their password. It will not be shown again.",
    ),
    "users.code_link": ("Lien", "Link"),
    "users.code": ("Code", "Code"),
    "users.error.name_invalid": (
        "Le nom doit tenir sur une ligne (80 caractères au plus).",
        "The name must be one line (80 characters at most).",
    ),
    "users.error.name_taken": (
        "Un utilisateur porte déjà ce nom.",
        "A user already has that name.",
    ),
    "users.error.role_invalid": ("Choisissez un rôle.", "Choose a role."),
    "users.error.rpps_invalid": (
        "Le numéro RPPS a 11 chiffres (le dernier est une clé) ; seul un soignant en a un.",
        "The RPPS number has 11 digits (the last is a check digit); only a clinician has one.",
    ),
    "users.error.self": (
        "Vous ne pouvez pas désactiver votre propre compte.",
        "You cannot disable your own account.",
    ),
    "users.error.store_unavailable": (
        "Enregistrement impossible pour l'instant : réessayez.",
        "Could not save for now: try again.",
    ),
    # --- the error page -----------------------------------------------------------------
    "locked.title": ("Écran verrouillé", "Screen locked"),
    "locked.body": (
        "Tapez votre mot de passe pour reprendre.",
        "Type your password to carry on.",
    ),
}
