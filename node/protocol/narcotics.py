"""Medicines that a Relève prescription cannot carry: narcotics (stupéfiants) and the
medicines that follow part of the narcotics rules (docs/protocol.md §19.4).

Why: a narcotic is prescribed on a *secure paper prescription* (ordonnance sécurisée, CSP
R.5132-5), with the quantities written in letters and a duration limited to 28 days at most
without renewal (R.5132-29, R.5132-30). A message cannot meet those conditions, so the
sender's form and the receiving node refuse such a line and say what to do instead: write a
secure paper prescription (or, in an emergency, phone the pharmacist and bring it).

The list: international non-proprietary names (INN, DCI) of medicines classified as
stupéfiants in France (arrêté du 22 février 1990 fixant la liste des substances classées
comme stupéfiants, annexes I, II and IV, as amended), restricted to the ones sold as
medicines in community pharmacies, and those subject to part of the narcotics rules
("assimilés stupéfiants": secure prescription required, e.g. buprenorphine, clonazepam,
zolpidem, flunitrazepam, clorazepate), with a few brand names that prescribers commonly
write alone. Curated for Relève on 2026-12-04 from the ANSM's published list of narcotics
and psychotropics (ansm.sante.fr, "Stupéfiants et psychotropes") as reproduced in the
Vidal and Thériaque monographs; it is a safety net, not the register: check it against the
ANSM's current list before each release, and add a name rather than remove one.

Matching is on words, without case or accents, in the medicine and INN fields of a line:
"Morphine sulfate 10 mg" and "SKENAN LP" match, "Morphinane" does not.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

CURATED_ON: Final = "2026-12-04"

# INNs (French spelling, accents removed) classified as stupéfiants, or assimilated.
NARCOTIC_INNS: Final = frozenset(
    {
        "alfentanil",
        "buprenorphine",  # assimilated: secure prescription (arrêté du 20 septembre 1999)
        "cannabis",
        "clonazepam",  # assimilated: secure prescription (arrêté du 12 octobre 2011)
        "clorazepate",  # oral forms above 20 mg: secure prescription
        "cocaine",
        "dexamfetamine",
        "dextromoramide",
        "dronabinol",
        "fentanyl",
        "flunitrazepam",  # assimilated: secure prescription (arrêté du 1er février 2001)
        "hydromorphone",
        "ketamine",
        "methadone",
        "methylphenidate",
        "morphine",
        "nabilone",
        "oxybate",  # sodium oxybate
        "oxycodone",
        "pethidine",
        "remifentanil",
        "sufentanil",
        "tapentadol",
        "zolpidem",  # assimilated: secure prescription (arrêté du 7 mars 2017)
    }
)

# Brand names commonly written alone, with their INN.
NARCOTIC_BRANDS: Final = {
    "skenan": "morphine",
    "actiskenan": "morphine",
    "moscontin": "morphine",
    "sevredol": "morphine",
    "oramorph": "morphine",
    "oxycontin": "oxycodone",
    "oxynorm": "oxycodone",
    "oxynormoro": "oxycodone",
    "sophidone": "hydromorphone",
    "durogesic": "fentanyl",
    "abstral": "fentanyl",
    "actiq": "fentanyl",
    "instanyl": "fentanyl",
    "pecfent": "fentanyl",
    "effentora": "fentanyl",
    "ritaline": "methylphenidate",
    "concerta": "methylphenidate",
    "quasym": "methylphenidate",
    "medikinet": "methylphenidate",
    "palexia": "tapentadol",
    "xyrem": "oxybate",
    "subutex": "buprenorphine",
    "orobupre": "buprenorphine",
    "suboxone": "buprenorphine",
    "rivotril": "clonazepam",
    "stilnox": "zolpidem",
    "tranxene": "clorazepate",
}

_WORD: Final = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.casefold())
    return _WORD.findall("".join(char for char in plain if not unicodedata.combining(char)))


def narcotic_in(*texts: str | None) -> str | None:
    """The INN of the first narcotic named in ``texts`` (a line's medicine and INN), or
    None."""
    for text in texts:
        if not text:
            continue
        for word in _words(text):
            if word in NARCOTIC_INNS:
                return word
            if word in NARCOTIC_BRANDS:
                return NARCOTIC_BRANDS[word]
    return None
