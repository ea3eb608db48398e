"""The narrated `releve demo`."""

from __future__ import annotations

from typing import Final

DEMO: Final[dict[str, dict[str, str]]] = {
    "demo.intro": {
        "fr": "Démonstration de Relève : deux nœuds sur ce poste, données fictives "
        "(aucun patient réel).",
        "en": "Relève demonstration: two nodes on this machine, fictitious data (no real patient).",
    },
    "demo.step_init": {
        "fr": "1. Création des nœuds « {gp} » ({gp_role}) et « {pharmacy} » ({pharmacy_role}).",
        "en": '1. Creating the nodes "{gp}" ({gp_role}) and "{pharmacy}" ({pharmacy_role}).',
    },
    "demo.step_start": {
        "fr": "2. Démarrage des deux nœuds…",
        "en": "2. Starting both nodes…",
    },
    "demo.step_relay": {
        "fr": "   Un relais tourne sur {url} : {pharmacy}, derrière son pare-feu, ne reçoit que "
        "par lui.",
        "en": "   A relay runs on {url}: {pharmacy}, behind its firewall, receives only through "
        "it.",
    },
    "demo.node_ready_relay": {
        "fr": "   {name} : nœud {node_id}, joignable seulement par le relais",
        "en": "   {name}: node {node_id}, reachable through the relay only",
    },
    "demo.node_ready": {
        "fr": "   {name} : nœud {node_id}, joignable sur {endpoints}",
        "en": "   {name}: node {node_id}, reachable at {endpoints}",
    },
    "demo.step_invite": {
        "fr": "3. {gp} crée une invitation à usage unique (valable jusqu'à {expires}).",
        "en": "3. {gp} creates a one-time invitation (valid until {expires}).",
    },
    "demo.step_accept": {
        "fr": "4. {pharmacy} accepte l'invitation : {gp} est maintenant un contact.",
        "en": "4. {pharmacy} accepts the invitation: {gp} is now a contact.",
    },
    "demo.safety_number": {
        "fr": "   Numéro de sécurité, identique des deux côtés : {safety_number}",
        "en": "   Safety number, the same on both sides: {safety_number}",
    },
    "demo.step_send": {
        "fr": "5. {gp} → {pharmacy} : « {text} »",
        "en": '5. {gp} → {pharmacy}: "{text}"',
    },
    "demo.status_queued": {
        "fr": "   Statut chez {name} : {status}",
        "en": "   Status at {name}: {status}",
    },
    "demo.status": {
        "fr": "   Statut chez {name} : {status} à {when}",
        "en": "   Status at {name}: {status} at {when}",
    },
    "demo.step_received": {
        "fr": "6. {pharmacy} reçoit le message à {when}.",
        "en": "6. {pharmacy} receives the message at {when}.",
    },
    "demo.step_read": {
        "fr": "7. {pharmacy} lit le message : l'accusé de lecture part.",
        "en": "7. {pharmacy} reads the message: the read receipt goes out.",
    },
    "demo.step_reply": {
        "fr": "8. {pharmacy} → {gp} : « {text} »",
        "en": '8. {pharmacy} → {gp}: "{text}"',
    },
    "demo.step_reply_received": {
        "fr": "   {gp} reçoit la réponse à {when}.",
        "en": "   {gp} receives the reply at {when}.",
    },
    "demo.question": {
        "fr": "Bonjour, pouvez-vous renouveler pour un mois le traitement habituel de "
        "patient fictif ? L'ordonnance papier suit. Dr Camille Martin",
        "en": "Hello, could you renew the usual treatment of patient fictif for one month? "
        "The paper prescription follows. Dr Camille Martin",
    },
    "demo.answer": {
        "fr": "Bien reçu, le renouvellement est prêt au comptoir. Pharmacie du Port",
        "en": "Received, the renewal is ready at the counter. Pharmacie du Port",
    },
    "demo.done": {
        "fr": "Démonstration terminée : nœuds arrêtés, dossier temporaire supprimé.",
        "en": "Demonstration finished: nodes stopped, temporary folder deleted.",
    },
    "demo.cleaned": {
        "fr": "Nœuds arrêtés, dossier temporaire supprimé.",
        "en": "Nodes stopped, temporary folder deleted.",
    },
    "demo.interrupted": {
        "fr": "Démonstration interrompue.",
        "en": "Demonstration interrupted.",
    },
    "demo.timeout": {
        "fr": "délai dépassé ({seconds} s) en attendant : {what}",
        "en": "timed out ({seconds} s) waiting for: {what}",
    },
    "demo.what_init": {
        "fr": "la création du nœud de {name}",
        "en": "the creation of {name}'s node",
    },
    "demo.what_start": {
        "fr": "le démarrage du nœud de {name}",
        "en": "{name}'s node to start",
    },
    "demo.what_pairing": {
        "fr": "la fin de l'appairage chez {name}",
        "en": "the pairing to complete at {name}",
    },
    "demo.what_receive": {
        "fr": "l'arrivée du message chez {name}",
        "en": "the message to arrive at {name}",
    },
    "demo.what_delivered": {
        "fr": "l'accusé de réception chez {name}",
        "en": "the delivery receipt at {name}",
    },
    "demo.what_read": {
        "fr": "l'accusé de lecture chez {name}",
        "en": "the read receipt at {name}",
    },
    "demo.what_reply": {
        "fr": "l'arrivée de la réponse chez {name}",
        "en": "the reply to arrive at {name}",
    },
    "demo.init_failed": {
        "fr": "la création du nœud de {name} a échoué : {detail}",
        "en": "creating {name}'s node failed: {detail}",
    },
    "demo.node_exited": {
        "fr": "le nœud de {name} s'est arrêté (code {code})",
        "en": "{name}'s node stopped (code {code})",
    },
    "demo.message_failed": {
        "fr": "le message {message_id} n'a pas pu être remis",
        "en": "message {message_id} could not be delivered",
    },
    "demo.safety_mismatch": {
        "fr": "les numéros de sécurité diffèrent ({gp} / {pharmacy})",
        "en": "the safety numbers differ ({gp} / {pharmacy})",
    },
    "demo.log_tail": {
        "fr": "Fin du journal du nœud de {name} :",
        "en": "End of {name}'s node log:",
    },
}
