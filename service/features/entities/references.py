"""Notes and references as a good encyclopaedia prints them.

One note per (source, quote): the statements of several facts that quote the same words of the same
source share it, and the note links back to every fact it supports (↑ a, b, c). A note cites its source short
("Leone 2023": the author's surname and the year of publication, from the source's own data); the full reference is
printed once, in the reference list, with the source's URL where the data gives one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.features.nodes import Node, iri_node, link_for, node
from service.provenance.statements import StatementNode
from service.rdf.namespaces import HK, RDFS, SKOS_ALT_LABEL
from service.store.graph import KnowledgeGraph

AUTHOR = HK + "author"
PUBLISHER = HK + "publisher"
SPONSOR = HK + "sponsor"
PUBLICATION_DATE = HK + "publicationDate"
# Where a source's data may give its address (the first found, in this order), besides an http(s) IRI of its own.
URL_PREDICATES = ("https://schema.org/url", "http://schema.org/url", "http://xmlns.com/foaf/0.1/page",
                  "http://purl.org/dc/terms/identifier", RDFS + "seeAlso")
SOURCE_PREDICATES = (AUTHOR, PUBLISHER, SPONSOR, PUBLICATION_DATE, SKOS_ALT_LABEL, *URL_PREDICATES)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class Reference:
    """A source document, once: its short citation and what its full reference prints."""
    node: Node
    anchor: str
    short: str
    authors: list[Node]
    year: str | None
    date: str | None
    publishers: list[Node]
    sponsors: list[Node]
    url: str | None


@dataclass
class Backlink:
    anchor: str   # the id of the fact (or event) on the page
    text: str     # what it says, for the link's title
    letter: str = ""


@dataclass
class Note:
    number: int
    quote: str | None
    sources: list[Reference]
    relays: list[Reference]
    statements: list[Node] = field(default_factory=list)
    backlinks: list[Backlink] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


class Notes:
    """The notes of one page, numbered in the order the page first cites them."""

    def __init__(self, kg: KnowledgeGraph, source_quads: Iterable[ox.Quad] = ()) -> None:
        self.kg = kg
        self.source_quads: dict[str, list[ox.Quad]] = defaultdict(list)  # fetched together by the page, if it did
        for quad in source_quads:
            if isinstance(quad.subject, ox.NamedNode):
                self.source_quads[quad.subject.value].append(quad)
        self.by_key: dict[tuple[tuple[str, ...], str], Note] = {}
        self.references: dict[str, Reference] = {}

    def cite(self, statements: Iterable[StatementNode], anchor: str, text: str) -> list[Note]:
        """The notes of `statements` (claims are not notes: they are shown as claims), each remembering that the
        fact at `anchor` cites it."""
        out: list[Note] = []
        for st in statements:
            if not st.is_claim:
                note = self.note(st.sources, st.relays, st.quote, anchor, text)
                statement = iri_node(self.kg, st.iri)
                if statement not in note.statements:
                    note.statements.append(statement)
                if st.comment and st.comment not in note.comments:
                    note.comments.append(st.comment)
                if note not in out:
                    out.append(note)
        return out

    def note(self, sources: list[str], relays: list[str], quote: str | None, anchor: str, text: str) -> Note:
        """The note of these words of these sources (made on first use), linking back to `anchor`. The works a
        source relays are gathered from every statement quoting the same words."""
        key = (tuple(sources), quote or "")
        note = self.by_key.get(key)
        if note is None:
            note = self.by_key[key] = Note(len(self.by_key) + 1, quote, [self.reference(s) for s in sources], [])
        for relayed in relays:
            if relayed not in [r.node.value for r in note.relays]:
                note.relays.append(self.reference(relayed))
        if anchor not in [b.anchor for b in note.backlinks]:
            note.backlinks.append(Backlink(anchor, text))
        return note

    def reference(self, iri: str) -> Reference:
        if iri not in self.references:
            quads = self.source_quads.get(iri) or list(self.kg.triples(ox.NamedNode(iri)))
            self.references[iri] = reference(self.kg, iri, quads, f"ref-{len(self.references) + 1}")
        return self.references[iri]

    def finish(self) -> tuple[list[Note], list[Reference]]:
        """The notes in order, each backlink lettered; the references cited, by short citation."""
        notes = sorted(self.by_key.values(), key=lambda n: n.number)
        for note in notes:
            for i, link in enumerate(note.backlinks):
                link.letter = LETTERS[i] if i < len(LETTERS) else str(i + 1)
        return notes, sorted(self.references.values(), key=lambda r: (r.short.lower(), r.node.value))


def reference(kg: KnowledgeGraph, iri: str, quads: Iterable[ox.Quad], anchor: str) -> Reference:
    """A source's reference from its quads."""
    values: dict[str, list[ox.NamedNode | ox.Literal]] = {p: [] for p in SOURCE_PREDICATES}
    for quad in quads:
        if quad.predicate.value in values and isinstance(quad.object, ox.NamedNode | ox.Literal):
            values[quad.predicate.value].append(quad.object)
    for found in values.values():
        found.sort(key=lambda t: t.value)
    authors = [node(kg, a) for a in values[AUTHOR] if isinstance(a, ox.NamedNode)]
    date = values[PUBLICATION_DATE][0].value if values[PUBLICATION_DATE] else None
    year = date[:4] if date and date[:4].isdigit() else None
    source = iri_node(kg, iri)
    return Reference(source, anchor, short_cite(source, authors, year, values[SKOS_ALT_LABEL]), authors, year, date,
                     [node(kg, p) for p in values[PUBLISHER]], [node(kg, s) for s in values[SPONSOR]],
                     _url(kg, iri, values))


def short_cite(source: Node, authors: list[Node], year: str | None, alt_labels: Iterable[ox.NamedNode | ox.Literal]
               ) -> str:
    """'Leone 2023'; 'Dabrowski n.d.' when the data gives no date; without an author, the source's shortest name."""
    if authors:
        names = [surname(a.label) for a in authors]
        who = names[0] if len(names) == 1 else f"{names[0]} & {names[1]}" if len(names) == 2 else f"{names[0]} et al."
        return f"{who} {year or 'n.d.'}"
    shortest = min([source.label, *(a.value for a in alt_labels)], key=len)
    return f"{shortest} {year}" if year else shortest


def surname(name: str) -> str:
    """The last word of a personal name ('Dario Leone' -> 'Leone'); a name in parentheses is left out."""
    words = [w for w in name.split("(")[0].split() if w]
    return words[-1] if words else name


def _url(kg: KnowledgeGraph, iri: str, values: dict[str, list[ox.NamedNode | ox.Literal]]) -> str | None:
    for predicate in URL_PREDICATES:
        for value in values[predicate]:
            link = link_for(value.value, kg.settings.base)
            if link is not None and link.startswith(("http://", "https://")):
                return link
    own = link_for(iri, kg.settings.base)
    return own if own is not None and own.startswith(("http://", "https://")) else None
