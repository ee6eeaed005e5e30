"""A statement read as a sentence: who says it, how (by its status), and what, in the ontology's words.

"The Soviet government claims that Viktor Belenko's refusal to return was the result of him being drugged": the
claimants' labels, a verb by status (states / claims / alleges / suggests), then the proposition from the
property's hk:displayPhrase ("{s} was a member of {o}"), or, where it has none, "the <property> of <subject> is
<object>". A literal object that opens with a possessive ("his refusal to return ...") takes the subject's name
instead. The sentence is a list of parts, text or terms, so a page links the terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.features.nodes import Node
from service.rdf.namespaces import HK

# Verbs by status (singular, plural). Disputed is "alleges", not "disputes": the claimant asserts it, the source is
# the one disputing (its assessment says how).
VERBS = {HK + "Asserted": ("states", "state"), HK + "Claim": ("claims", "claim"),
         HK + "Disputed": ("alleges", "allege"), HK + "Hedged": ("suggests", "suggest")}
IMPERSONAL = {HK + "Asserted": "It is stated that", HK + "Claim": "It is claimed that",
              HK + "Disputed": "It is alleged that", HK + "Hedged": "It is suggested that"}
_POSSESSIVE = re.compile(r"^(his|her|their|its)\s+", re.IGNORECASE)
_SMALL_WORDS = {"of", "and", "for", "in", "on", "the", "de", "du", "von", "van", "&"}


@dataclass(frozen=True)
class Part:
    text: str
    term: Node | None = None  # a term the page links; None: plain words
    role: str = ""            # "claimant", "subject", "object" or "" (for the page's markup)


def sentence(claimants: list[Node], status: str | None, subject: Node, predicate: Node, obj: Node,
             phrase: str | None) -> list[Part]:
    parts: list[Part] = []
    if claimants:
        for i, who in enumerate(claimants):
            if i:
                parts.append(Part(" and " if i == len(claimants) - 1 else ", "))
            parts.append(Part(_agent(who.label, first=i == 0), who, "claimant"))
        singular, plural = VERBS.get(status or "", ("says", "say"))
        parts.append(Part(f" {singular if len(claimants) == 1 else plural} that "))
    else:
        parts.append(Part(IMPERSONAL.get(status or "", "It is said that") + " "))
    parts.extend(proposition(subject, predicate, obj, phrase))
    return parts


def proposition(subject: Node, predicate: Node, obj: Node, phrase: str | None) -> list[Part]:
    if obj.is_literal and not subject.is_literal:
        rest = _POSSESSIVE.sub("", obj.label, count=1)
        if rest != obj.label:  # "his refusal to return" -> "Viktor Belenko's refusal to return"
            return [Part(subject.label, subject, "subject"), Part(f"'s {rest}", None, "object")]
    template = phrase or ("the {p} of {s} is “{o}”" if obj.is_literal else "the {p} of {s} is {o}")
    out: list[Part] = []
    for piece in re.split(r"(\{[spo]\})", template.replace("{p}", predicate.label)):
        if piece == "{s}":
            out.append(Part(subject.label, None if subject.is_literal else subject, "subject"))
        elif piece == "{o}":
            out.append(Part(obj.label, None if obj.is_literal else obj, "object"))
        elif piece:
            out.append(Part(piece))
    return out


def _agent(label: str, *, first: bool) -> str:
    """A claimant's name as the subject of a sentence: an organisation named by a common noun phrase ('Soviet
    government') takes 'the'; a proper name ('Dario Leone', '530 IAP') or a possessive does not."""
    text = label
    words = [w for w in re.split(r"\s+", label.split("(")[0].strip()) if w]
    common = any(w[0].islower() for w in words if w.lower() not in _SMALL_WORDS and w[0].isalpha())
    if not label.lower().startswith("the ") and common and "'s" not in label.replace("\u2019", "'"):
        text = "the " + label
    return text[0].upper() + text[1:] if first and text else text


def text(parts: list[Part]) -> str:
    return "".join(p.text for p in parts)
