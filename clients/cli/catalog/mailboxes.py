"""A clinic server's mailboxes (issue #15): `releve mailbox ...` (`releve boite ...`) and the
refusals of the local API about them."""

from __future__ import annotations

from typing import Final

MAILBOXES: Final[dict[str, dict[str, str]]] = {
    "help.mailbox": {
        "fr": "les boîtes du serveur de cabinet : personnelles et partagées (Secrétariat)",
        "en": "the clinic server's mailboxes: personal and shared (Secretariat)",
    },
    "help.boite": {
        "fr": "les boîtes du serveur de cabinet (comme mailbox)",
        "en": "the clinic server's mailboxes (same as mailbox)",
    },
    "help.mailbox_list": {
        "fr": "lister les boîtes et qui peut les lire",
        "en": "list the mailboxes and who may read them",
    },
    "help.mailbox_add": {
        "fr": "créer une boîte (partagée par défaut)",
        "en": "create a mailbox (shared unless --personal)",
    },
    "help.mailbox_remove": {
        "fr": "supprimer une boîte (ses messages restent, lus par l'exploitant et les admins)",
        "en": "remove a mailbox (its messages stay, read by the operator and the admins)",
    },
    "help.mailbox_members": {
        "fr": "ajouter ou retirer des personnes d'une boîte",
        "en": "add people to a mailbox or remove them",
    },
    "help.mailbox_set_default": {
        "fr": "faire de cette boîte celle qui reçoit les messages sans boîte choisie",
        "en": "make this the mailbox that receives messages naming no mailbox",
    },
    "help.mailbox_name": {
        "fr": "le nom de la boîte (ex. Secrétariat) ou son identifiant",
        "en": "the mailbox's name (e.g. Secrétariat) or its id",
    },
    "help.mailbox_personal": {
        "fr": "la boîte personnelle d'un seul soignant (elle seule peut envoyer ses ordonnances)",
        "en": "one clinician's personal mailbox (the only one their prescriptions leave from)",
    },
    "help.mailbox_member": {
        "fr": "une personne qui lit et envoie depuis cette boîte (nom ou identifiant ; répétable)",
        "en": "a person who reads and sends from this mailbox (name or id; repeatable)",
    },
    "help.mailbox_private": {
        "fr": "ne pas la proposer aux contacts (usage interne)",
        "en": "do not offer it to contacts (internal use)",
    },
    "help.mailbox_default": {
        "fr": "elle reçoit les messages qui ne nomment aucune boîte",
        "en": "it receives the messages that name no mailbox",
    },
    "help.mailbox_members_add": {
        "fr": "ajouter cette personne (répétable)",
        "en": "add this person (repeatable)",
    },
    "help.mailbox_members_remove": {
        "fr": "retirer cette personne (répétable)",
        "en": "remove this person (repeatable)",
    },
    "metavar.mailbox": {"fr": "BOÎTE", "en": "MAILBOX"},
    "help.send_to_mailbox": {
        "fr": "la boîte du cabinet destinataire (ex. Secrétariat ; voir releve contacts --json)",
        "en": "the recipient practice's mailbox (e.g. Secrétariat; see releve contacts --json)",
    },
    "help.send_from_mailbox": {
        "fr": "serveur de cabinet : la boîte d'où part le message",
        "en": "clinic server: the mailbox the message leaves from",
    },
    "metavar.mailbox_user": {"fr": "PERSONNE", "en": "USER"},
    "mailbox.none": {
        "fr": "Aucune boîte : ce nœud est une seule boîte, lue par tous.",
        "en": "No mailboxes: this node is one inbox, read by everyone.",
    },
    "mailbox.personal": {"fr": "personnelle", "en": "personal"},
    "mailbox.shared": {"fr": "partagée", "en": "shared"},
    "mailbox.is_default": {"fr": "par défaut", "en": "default"},
    "mailbox.private": {"fr": "non proposée aux contacts", "en": "not offered to contacts"},
    "mailbox.prescriber": {"fr": "prescripteur : {name}", "en": "prescriber: {name}"},
    "mailbox.members": {"fr": "membres : {names}", "en": "members: {names}"},
    "mailbox.no_members": {"fr": "aucun membre", "en": "no members"},
    "mailbox.added": {"fr": "Boîte « {name} » créée.", "en": "Mailbox “{name}” created."},
    "mailbox.removed": {
        "fr": "Boîte « {name} » supprimée.",
        "en": "Mailbox “{name}” removed.",
    },
    "mailbox.changed": {
        "fr": "Boîte « {name} » modifiée.",
        "en": "Mailbox “{name}” changed.",
    },
    "mailbox.now_default": {
        "fr": "« {name} » reçoit désormais les messages sans boîte choisie.",
        "en": "“{name}” now receives the messages that name no mailbox.",
    },
    "api.forbidden": {
        "fr": "vous n'avez pas accès à cette boîte",
        "en": "you may not use this mailbox",
    },
    "api.mailbox_not_found": {
        "fr": "aucune boîte ne correspond ; voyez `releve mailbox list`",
        "en": "no mailbox matches; see `releve mailbox list`",
    },
    "api.mailbox_exists": {
        "fr": "une boîte porte déjà ce nom",
        "en": "a mailbox of that name exists",
    },
    "api.no_mailboxes": {
        "fr": "ce contact n'a pas de boîtes parmi lesquelles choisir",
        "en": "this contact has no mailboxes to choose from",
    },
    "api.too_many_mailboxes": {
        "fr": "32 boîtes au plus",
        "en": "at most 32 mailboxes",
    },
    "api.too_many_members": {
        "fr": "200 membres au plus par boîte",
        "en": "at most 200 members in a mailbox",
    },
    "api.personal_mailbox_member": {
        "fr": "une boîte personnelle n'a qu'un membre",
        "en": "a personal mailbox has one member",
    },
}
