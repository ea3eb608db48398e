"""`releve check` (`releve verifier`): the readiness check."""

from __future__ import annotations

from typing import Final

CHECK: Final[dict[str, dict[str, str]]] = {
    "help.check": {
        "fr": "vérifier que chaque contact répond (sonde sans contenu, jamais affichée)",
        "en": "check that every contact answers (a content-free probe, never shown)",
    },
    "help.verifier": {
        "fr": "vérifier que chaque contact répond (comme check)",
        "en": "check that every contact answers (same as check)",
    },
    "help.check_wait": {
        "fr": "attendre les réponses au plus ce nombre de secondes (1 à {max}, {default} par "
        "défaut)",
        "en": "wait for answers at most this many seconds (1 to {max}, default {default})",
    },
    "check.running": {
        "fr": "Vérification en cours (au plus {seconds} s)…",
        "en": "Checking (at most {seconds} s)…",
    },
    "check.col.contact": {"fr": "Contact", "en": "Contact"},
    "check.col.answer": {"fr": "Réponse", "en": "Answer"},
    "check.col.out": {"fr": "Aller", "en": "Out"},
    "check.col.back": {"fr": "Retour", "en": "Back"},
    "check.col.rtt": {"fr": "Aller-retour", "en": "Round trip"},
    "check.state.answered": {"fr": "a répondu", "en": "answered"},
    "check.state.no_answer": {"fr": "pas de réponse", "en": "no answer"},
    "check.state.unreachable": {"fr": "injoignable", "en": "unreachable"},
    "check.state.not_ready": {"fr": "appairage inachevé", "en": "pairing unfinished"},
    "check.direct": {"fr": "direct", "en": "direct"},
    "check.relay": {"fr": "relais {url}", "en": "relay {url}"},
    "check.ms": {"fr": "{ms} ms", "en": "{ms} ms"},
    "check.summary": {
        "fr": "{answered} contact(s) sur {total} ont répondu.",
        "en": "{answered} of {total} contact(s) answered.",
    },
    "check.call": {
        "fr": "{name} n'a pas répondu : appelez le {phone}.",
        "en": "{name} did not answer: call {phone}.",
    },
    "check.call_nophone": {
        "fr": "{name} n'a pas répondu : appelez ce contact.",
        "en": "{name} did not answer: call this contact.",
    },
    "check.no_contacts": {
        "fr": "Aucun contact appairé : rien à vérifier.",
        "en": "No paired contact: nothing to check.",
    },
    "api.check_running": {
        "fr": "une vérification est déjà en cours : attendez qu'elle finisse",
        "en": "a check is already running: wait for it to finish",
    },
}
