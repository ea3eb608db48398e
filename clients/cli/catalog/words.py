"""Small words shown everywhere: yes and no, roles, message statuses and kinds, sizes."""

from __future__ import annotations

from typing import Final

WORDS: Final[dict[str, dict[str, str]]] = {
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
    "msgstatus.held": {
        "fr": "retenu (clé changée, à vérifier)",
        "en": "held (key changed, to verify)",
    },
    "kind.text": {"fr": "Message", "en": "Message"},
    "kind.handoff": {"fr": "Transmission SAED", "en": "SAED handoff"},
    "kind.prescription": {"fr": "Ordonnance", "en": "Prescription"},
    "kind.attachment": {"fr": "Pièce jointe", "en": "Attachment"},
    "size.bytes": {"fr": "{value} octets", "en": "{value} bytes"},
    "size.kib": {"fr": "{value} Kio", "en": "{value} KiB"},
    "size.mib": {"fr": "{value} Mio", "en": "{value} MiB"},
    "sex.F": {"fr": "F", "en": "F"},
    "sex.M": {"fr": "M", "en": "M"},
    "sex.U": {"fr": "inconnu", "en": "unknown"},
}
