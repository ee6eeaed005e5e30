"""What a person types into a saved query's entity parameter (type `iri`) made an IRI: a label, a name or an IRI.

In order: an IRI or a known prefixed name that the dataset mentions; a bare name under the dataset's `id/` space
(`belenko-mig-25`); a label or alternative label (the label search of features.search.matching, so it forgives what
that search forgives) that names exactly one entity — one exact label match, or a single search hit. Anything else
is a Problem that lists the candidates, so the page can offer them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.errors import QueryError
from service.features import saved_queries as queries
from service.features.entities.page import exists
from service.features.nodes import display_label
from service.features.search import matching as label_search
from service.rdf.namespaces import shorten
from service.store.graph import KnowledgeGraph

MAX_CANDIDATES = 8
EXACT = ("exact", "exact alias")  # the search's match kinds that name an entity outright


@dataclass(frozen=True)
class Candidate:
    iri: str
    label: str
    type: str
    name: str  # the prefixed name (or the IRI) that selects it unambiguously


@dataclass(frozen=True)
class Problem:
    parameter: str
    message: str
    candidates: list[Candidate] = field(default_factory=list)

    def text(self) -> str:
        """The message with its candidates, for a plain-text or JSON error."""
        if not self.candidates:
            return self.message
        listed = "; ".join(f"{c.label} ({c.type}): {c.name}" for c in self.candidates)
        return f"{self.message} Candidates: {listed}."


@dataclass
class Resolved:
    values: dict[str, str]                                   # parameter -> the IRI the query binds (or raw input)
    shown: dict[str, str]                                    # parameter -> what the form shows
    problems: list[Problem] = field(default_factory=list)


def resolve(kg: KnowledgeGraph, saved: queries.SavedQuery, raw: dict[str, str]) -> Resolved:
    """The given values with every entity parameter resolved; values of other types pass through unchanged."""
    resolved = Resolved(dict(raw), dict(raw))
    for param in saved.parameters:
        typed = raw.get(param.name, "").strip()
        if param.type != "iri" or not (typed or param.default):
            continue
        iri, problem = entity(kg, typed or param.default, param.name)
        if problem is not None:
            resolved.problems.append(problem)
            continue
        assert iri is not None
        resolved.values[param.name] = iri
        resolved.shown[param.name] = _shown(kg, iri)
    return resolved


def entity(kg: KnowledgeGraph, text: str, parameter: str = "value") -> tuple[str | None, Problem | None]:
    """The IRI `text` names, or a Problem listing the candidates."""
    text = text.strip()[:300]
    iri = _as_iri(text)
    if iri is not None and exists(kg, iri):
        return iri, None
    named = f"{kg.settings.base}id/{text}" if queries.NAME.match(text) else None
    if named is not None and exists(kg, named):
        return named, None
    hits = label_search.search(kg, text, limit=MAX_CANDIDATES + 1)
    exact = [h for h in hits if h.match in EXACT]
    if len(exact) == 1 or (len(hits) == 1 and not exact):
        return (exact or hits)[0].iri, None
    candidates = [Candidate(h.iri, h.label, h.type, _name(h.iri)) for h in (exact or hits)[:MAX_CANDIDATES]]
    if candidates:
        return None, Problem(parameter, f"{parameter}: {text!r} could name {len(exact or hits)}"
                                        f"{'+' if len(hits) > MAX_CANDIDATES and not exact else ''} entities; "
                                        "choose one.", candidates)
    return None, Problem(parameter, f"{parameter}: nothing in the dataset is called or named {text!r}.")


def _as_iri(text: str) -> str | None:
    try:
        return queries.expand_iri(text)
    except QueryError:
        return None


def _name(iri: str) -> str:
    short = shorten(iri)
    return short if short != iri else iri


def _shown(kg: KnowledgeGraph, iri: str) -> str:
    """The entity's label when that label finds it again; else its name (a label shared by two entities would not)."""
    label = display_label(kg, iri)
    found, _ = entity(kg, label) if label != _name(iri) else (None, None)
    return label if found == iri else _name(iri)
