"""Interning RDF terms as integers for the fast materialiser, and back."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from service.errors import UnsupportedOntology
from service.rdf.namespaces import RDF_TYPE

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[int, int, int]
BITS = 32  # a known triple is remembered as subject << BITS | object, per predicate


class Interner:
    """Term <-> integer. `literal[i]` is 1 when term i is a literal (it can never be a subject)."""

    def __init__(self) -> None:
        self.ids: dict[Term, int] = {}
        self.terms: list[Term] = []
        self.literal = bytearray()
        self.type_id = self.id(ox.NamedNode(RDF_TYPE))

    def __len__(self) -> int:
        return len(self.terms)

    def id(self, term: Term) -> int:
        found = self.ids.get(term)
        if found is not None:
            return found
        number = self.ids[term] = len(self.terms)
        if number >= 1 << BITS:
            raise UnsupportedOntology([f"more than {1 << BITS} distinct terms"])
        self.terms.append(term)
        self.literal.append(isinstance(term, ox.Literal))
        return number

    def named(self, iri: str) -> int | None:
        """The id of an IRI if the data mentions it."""
        return self.ids.get(ox.NamedNode(iri))

    def iri(self, number: int) -> str | None:
        term = self.terms[number]
        return term.value if isinstance(term, ox.NamedNode) else None

    def text(self, number: int) -> str:
        """How rdflib (and so owlrl's messages) prints a term: the IRI, the blank node id, the lexical form."""
        return self.terms[number].value

    def encode_all(self, *sources: Iterable[ox.Triple]) -> list[Triple]:
        ids, new = self.ids, self.id
        out: list[Triple] = []
        append = out.append
        for source in sources:
            for t in source:
                s, p, o = t.subject, t.predicate, t.object
                append((ids.get(s) or new(s), ids.get(p) or new(p), ids.get(o) or new(o)))  # type: ignore[arg-type]
        return out

    def decode_all(self, triples: Iterable[Triple]) -> list[ox.Triple]:
        terms = self.terms
        return [ox.Triple(terms[s], terms[p], terms[o]) for s, p, o in triples]  # type: ignore[arg-type]
