"""`releve backup` / `sauvegarder` and `releve restore` / `restaurer`: a node's encrypted backup,
and a node brought back from one on a new machine."""

from __future__ import annotations

from typing import Final

BACKUP: Final[dict[str, dict[str, str]]] = {
    "help.backup": {
        "fr": "sauvegarde chiffrée du nœud (clés, contacts, messages, journal), nœud en marche",
        "en": "encrypted backup of the node (keys, contacts, messages, audit log), while it runs",
    },
    "help.sauvegarder": {
        "fr": "sauvegarde chiffrée du nœud (comme backup)",
        "en": "encrypted backup of the node (same as backup)",
    },
    "help.restore": {
        "fr": "remettre un nœud depuis une sauvegarde, sur un nouveau poste (sans réappairer)",
        "en": "bring a node back from a backup, on a new machine (no pairing again)",
    },
    "help.restaurer": {
        "fr": "remettre un nœud depuis une sauvegarde (comme restore)",
        "en": "bring a node back from a backup (same as restore)",
    },
    "help.backup_out": {
        "fr": "le fichier de sauvegarde à écrire (il ne doit pas exister)",
        "en": "the backup file to write (it must not exist)",
    },
    "help.backup_passphrase_file": {
        "fr": "lire la phrase secrète de la sauvegarde dans ce fichier (sinon elle est demandée)",
        "en": "read the backup's passphrase from this file (else it is asked for)",
    },
    "help.restore_file": {"fr": "le fichier de sauvegarde", "en": "the backup file"},
    "help.restore_replace": {
        "fr": "remplacer le nœud de ce dossier (arrêté) par celui de la sauvegarde",
        "en": "replace the (stopped) node of this folder with the backup's",
    },
    "backup.prompt_new": {
        "fr": "Phrase secrète de la sauvegarde (12 caractères au moins) : ",
        "en": "Backup passphrase (at least 12 characters): ",
    },
    "backup.prompt_repeat": {
        "fr": "La même phrase secrète, encore : ",
        "en": "The same passphrase again: ",
    },
    "backup.passphrase_needed": {
        "fr": "une phrase secrète est nécessaire : donnez --passphrase-file FICHIER, ou lancez la "
        "commande dans un terminal",
        "en": "a passphrase is needed: give --passphrase-file FILE, or run the command in a "
        "terminal",
    },
    "backup.passphrase_not_text": {
        "fr": "la phrase secrète doit être du texte (UTF-8)",
        "en": "the passphrase must be text (UTF-8)",
    },
    "backup.exists": {
        "fr": "{path} existe déjà : choisissez un autre nom, rien n'a été écrit",
        "en": "{path} already exists: choose another name; nothing was written",
    },
    "backup.making": {
        "fr": "Sauvegarde en cours (quelques secondes)…",
        "en": "Making the backup (a few seconds)…",
    },
    "backup.done": {
        "fr": "Sauvegarde écrite : {path} (lisible par vous seul).",
        "en": "Backup written: {path} (readable by you only).",
    },
    "backup.keep_safe": {
        "fr": "Gardez-la hors de ce poste, et la phrase secrète ailleurs : sans elle, la "
        "sauvegarde ne peut pas être relue.",
        "en": "Keep it off this machine, and the passphrase elsewhere: without it the backup "
        "cannot be read.",
    },
    "api.session_renewing": {
        "fr": "la session avec ce contact est en cours de renouvellement (nœud restauré d'une "
        "sauvegarde) : réessayez dans un instant",
        "en": "the session with this contact is being renewed (node restored from a backup): "
        "try again in a moment",
    },
    "api.backup_weak_passphrase": {
        "fr": "phrase secrète trop courte : 12 caractères au moins",
        "en": "passphrase too short: at least 12 characters",
    },
    "backup.unreadable": {
        "fr": "impossible de lire {path} ({reason})",
        "en": "cannot read {path} ({reason})",
    },
    "backup.node_running": {
        "fr": "un nœud tourne dans {home} : arrêtez-le avant de le remplacer",
        "en": "a node is running in {home}: stop it before replacing it",
    },
    "restore.checking": {
        "fr": "Vérification de la sauvegarde (quelques secondes)…",
        "en": "Checking the backup (a few seconds)…",
    },
    "restore.done": {
        "fr": "Nœud remis dans {home}, tel qu'il était le {when}.",
        "en": "Node restored in {home}, as it was on {when}.",
    },
    "restore.next": {
        "fr": "Démarrez-le (`releve node`) : il ouvre de nouvelles sessions avec chaque contact, "
        "qui renvoient ce qu'ils ont envoyé depuis. N'utilisez plus l'ancien poste.",
        "en": "Start it (`releve node`): it opens new sessions with each contact, who send again "
        "what they sent since. Do not use the old machine any more.",
    },
    "backup.backup_not_a_backup": {
        "fr": "ce fichier n'est pas une sauvegarde Relève ; rien n'a été modifié",
        "en": "this file is not a Relève backup; nothing was changed",
    },
    "backup.backup_truncated": {
        "fr": "la sauvegarde est incomplète (fichier tronqué) ; rien n'a été modifié",
        "en": "the backup is incomplete (file cut short); nothing was changed",
    },
    "backup.backup_wrong_passphrase": {
        "fr": "phrase secrète erronée, ou sauvegarde altérée ; rien n'a été modifié",
        "en": "wrong passphrase, or the backup was altered; nothing was changed",
    },
    "backup.backup_damaged": {
        "fr": "la sauvegarde est endommagée ; rien n'a été modifié",
        "en": "the backup is damaged; nothing was changed",
    },
    "backup.backup_too_new": {
        "fr": "cette sauvegarde vient d'une version plus récente de Relève : installez-la",
        "en": "this backup comes from a newer Relève: install it",
    },
    "backup.backup_home_taken": {
        "fr": "un nœud existe déjà dans {home} : choisissez un autre dossier (--home), ou "
        "--replace pour le remplacer (arrêté) ; rien n'a été modifié",
        "en": "a node already exists in {home}: choose another folder (--home), or --replace "
        "to replace it (stopped); nothing was changed",
    },
    "backup.backup_write_failed": {
        "fr": "impossible d'écrire dans {home}",
        "en": "cannot write into {home}",
    },
}
