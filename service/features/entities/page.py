"""An entity described for a page or as RDF: a summary, its claims, its facts, its events, its incoming links.

Facts are the entity's triples (asserted, plus inferred unless `infer=False`), grouped and ordered as the ontology
declares (entities.presentation), each shown once: a fact that a more specific one already says is folded
into it, an incoming link that is the inverse of a shown fact is left out, and facts about the page's events are
shown in the events section as the entity's roles there. Each fact carries notes (entities.references: one
per source and quote, linking back to every fact it supports) and, when inferred, the rule and premises that
produced it. Claims (statements with a status other than hk:Asserted) are listed apart, as sentences: never facts.

What a page needs beyond the entity's own triples is asked for together before the page is put together (its
statements, the explanations of all its inferred facts, the sources they cite, the labels of every IRI it shows):
over a remote SPARQL server that is a handful of requests whatever the number of facts; in memory it costs next to
nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from service.features.entities.model import Entity, EventRow, Fact, Group, Premise, Role, Section, Why
from service.features.entities.presentation import Presentation, presentation
from service.features.entities.references import Notes
from service.features.entities.statement import claims_about
from service.features.nodes import Node, graph_of, iri_node, node, prefetch_labels
from service.features.time.timeline import Event, order_events
from service.provenance.explain import Explanation, explain_many
from service.provenance.statements import StatementNode, index
from service.rdf.namespaces import HK, RDF_TYPE, RDFS_COMMENT, RDFS_LABEL, SKOS_ALT_LABEL
from service.store.graph import KnowledgeGraph

TIME_ORDERED = frozenset({HK + "hasSubEvent", HK + "before", HK + "after"})
HEADER_PREDICATES = frozenset({RDF_TYPE, RDFS_LABEL, RDFS_COMMENT, SKOS_ALT_LABEL})
INCOMING_PAGE_SIZE = 25
SUMMARY_VALUES = 3  # values per key role in a summary
Key = tuple[Any, Any, Any]
Explanations = dict[Key, Explanation | None]


def exists(kg: KnowledgeGraph, iri: str) -> bool:
    try:
        term = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all (a path with a quote or a space): nothing is said about it
        return False
    return next(iter(kg.triples(term)), None) is not None or next(
        iter(kg.triples(None, None, term)), None) is not None


def _split(kg: KnowledgeGraph, quads: Any, infer: bool) -> dict[ox.Triple, bool]:
    """Distinct triples of the given quads, each with whether it is inferred only."""
    inferred_graph = kg.graphs.inferred
    seen: dict[ox.Triple, bool] = {}
    for quad in quads:
        is_inferred = graph_of(quad) == inferred_graph
        if is_inferred and not infer:
            continue
        seen[quad.triple] = seen.get(quad.triple, True) and is_inferred
    return seen


def describe(kg: KnowledgeGraph, iri: str, *, infer: bool = True, incoming_page: int = 1,
             events: list[Event] | None = None, itself: Event | None = None) -> Entity | None:
    """Everything a page shows about `iri`, or None when the graph does not mention it. `events`: the events it
    is linked to, in time order (the page's events section; the facts linking to them are shown there);
    `itself`: the entity as an event, for the summary's when and where."""
    if not exists(kg, iri):
        return None
    subject = ox.NamedNode(iri)
    outgoing = _split(kg, kg.triples(subject), infer)
    linking = _split(kg, (q for q in kg.triples(None, None, subject) if graph_of(q) != kg.graphs.statements), infer)
    explanations, source_quads = _prefetch(kg, iri, outgoing, linking)
    show = presentation(kg)
    types = [_fact(kg, t, inferred) for t, inferred in outgoing.items() if t.predicate.value == RDF_TYPE]
    types.sort(key=lambda f: (not f.object.value.startswith(HK), f.object.label.lower(), f.object.value))
    facts, aligned = _shown_once(kg, show, [_fact(kg, t, i) for t, i in outgoing.items()
                                            if t.predicate.value not in HEADER_PREDICATES])
    rows = [EventRow(e, f"ev-{n}") for n, e in enumerate(events or [], start=1)]
    facts = _to_events(facts, rows)
    links = _incoming_links(kg, show, linking, facts, rows)
    sections = _sections(show, facts)
    for group in (g for s in sections for g in s.groups if g.predicate.value in TIME_ORDERED):
        rank = {e: n for n, e in enumerate(order_events(kg, [f.object.value for f in group.facts]))}
        group.facts.sort(key=lambda f: rank[f.object.value])  # sub-events, before, after: in time order
    notes = Notes(kg, source_quads)
    claims = claims_about(kg, iri, notes)
    _cite(kg, notes, [Section("types", [Group(iri_node(kg, RDF_TYPE), types)]), *sections], rows, explanations)
    incoming, pages = _incoming(links, incoming_page)
    alt = sorted({t.object.value for t in outgoing
                  if t.predicate.value == SKOS_ALT_LABEL and isinstance(t.object, ox.Literal)})
    # Ties broken by value throughout, so pages do not depend on the order a store lists quads in.
    comment = min((t.object for t in outgoing if t.predicate.value == RDFS_COMMENT
                   and isinstance(t.object, ox.Literal)), key=lambda c: c.value, default=None)
    note_list, references = notes.finish()
    me = iri_node(kg, iri)
    entity = Entity(iri, me.label, me, [t for t in types if not t.inferred], [t for t in types if t.inferred],
                    comment.value if comment is not None else None, alt, sections, aligned, claims, incoming,
                    note_list, references, rows, incoming_page=max(1, min(incoming_page, pages)),
                    incoming_pages=pages)
    _summarise(kg, entity, show, itself)
    return entity


def _prefetch(kg: KnowledgeGraph, iri: str, outgoing: dict[ox.Triple, bool], linking: dict[ox.Triple, bool]
              ) -> tuple[Explanations, list[ox.Quad]]:
    """Ask for what the page will look up, together: the statements about the entity, the explanations of its
    inferred facts (one query per derivation height), the statements of their premises, the sources they cite,
    then every label."""
    statements = index(kg)
    statements.prefetch(about=iri)
    explanations = explain_many(kg, [(t.subject, t.predicate, t.object) for t, inferred in outgoing.items()
                                     if inferred])
    premises = [(p.subject, p.predicate, p.object) for e in explanations.values() if e for p in e.premises]
    statements.prefetch(triples=premises)
    cited = [*statements.about(iri), *(st for key in premises for st in statements.for_triple(*key))]
    sources = sorted({s for st in cited for s in [*st.sources, *st.relays]})
    source_quads = _quads_of(kg, [ox.NamedNode(s) for s in sources]) if sources else []
    prefetch_labels(kg, [*_shown(iri, [*outgoing, *linking], premises, cited),
                         *(q.object.value for q in source_quads if isinstance(q.object, ox.NamedNode))])
    return explanations, source_quads


def _shown(iri: str, triples: list[ox.Triple], premises: list[Key], statements: list[StatementNode]
           ) -> Iterator[str]:
    """The IRIs a page may show: its triples' and its premises' terms, and those of the statements about them.
    Lazy: in memory, where every label is at hand, nobody asks."""
    yield iri
    for terms in [*((t.subject, t.predicate, t.object) for t in triples), *premises]:
        yield from (t.value for t in terms if isinstance(t, ox.NamedNode))
    for st in statements:
        yield from st.iris()


def _fact(kg: KnowledgeGraph, triple: ox.Triple, inferred: bool) -> Fact:
    return Fact(node(kg, triple.object), inferred, predicate=iri_node(kg, triple.predicate.value), triple=triple)


def _shown_once(kg: KnowledgeGraph, show: Presentation, facts: list[Fact]) -> tuple[list[Fact], list[Node]]:
    """Each fact once: one that a more specific fact already says (same object, a sub-property's) is folded into
    it, as "also <property>" for the project's properties and not at all for the standard vocabularies' (whose
    properties are named once, apart)."""
    by_object: dict[Any, list[Fact]] = defaultdict(list)
    for fact in facts:
        assert fact.triple is not None
        by_object[fact.triple.object].append(fact)
    kept: list[Fact] = []
    aligned: dict[str, Node] = {}
    for fact in facts:
        assert fact.triple is not None and fact.predicate is not None
        p = fact.predicate.value
        saying = [f for f in by_object[fact.triple.object] if f.predicate is not None
                  and show.implies(f.predicate.value, p) and not show.implies(p, f.predicate.value)]
        if not saying:
            kept.append(fact)
            continue
        best = min(saying, key=lambda f: show.rank(f.predicate.value, f.predicate.label) if f.predicate else ())
        if p.startswith(HK):
            best.also.append(fact.predicate)
        else:
            aligned[p] = fact.predicate
    return kept, sorted(aligned.values(), key=lambda n: n.short)


def _to_events(facts: list[Fact], rows: list[EventRow]) -> list[Fact]:
    """Facts whose object is one of the page's events are shown in the events section, as roles."""
    by_event = {r.event.node.value: r for r in rows}
    kept = []
    for fact in facts:
        row = by_event.get(fact.object.value) if fact.object.kind == "iri" else None
        if row is None:
            kept.append(fact)
        else:
            assert fact.predicate is not None
            row.roles.append(Role(fact.predicate, fact, False))
    return kept


def _incoming_links(kg: KnowledgeGraph, show: Presentation, linking: dict[ox.Triple, bool], facts: list[Fact],
                    rows: list[EventRow]) -> list[Fact]:
    """Links from other entities, less what the page already shows: the inverse of an outgoing fact, a link that a
    more specific link from the same entity says, a link from one of the page's events (a role there)."""
    outgoing = {(f.predicate.value, f.object.value) for f in [*facts, *(r.fact for row in rows for r in row.roles)]
                if f.predicate is not None}
    by_event = {r.event.node.value: r for r in rows}
    links = [Fact(node(kg, t.subject), inferred, predicate=iri_node(kg, t.predicate.value), triple=t)
             for t, inferred in linking.items()]
    by_subject: dict[str, set[str]] = defaultdict(set)
    for link in links:
        assert link.predicate is not None
        by_subject[link.object.value].add(link.predicate.value)
    kept: list[Fact] = []
    for link in links:
        assert link.predicate is not None
        p, who = link.predicate.value, link.object.value
        if any((inverse, who) in outgoing for inverse in show.inverses.get(p, ())):
            continue
        if any(show.implies(q, p) and not show.implies(p, q) for q in by_subject[who]):
            continue
        row = by_event.get(who)
        if row is not None:
            if all(r.predicate.value != p or not r.incoming for r in row.roles):
                row.roles.append(Role(link.predicate, link, True))
            continue
        kept.append(link)
    return kept


def _sections(show: Presentation, facts: list[Fact]) -> list[Section]:
    by_predicate: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        assert fact.predicate is not None
        by_predicate[fact.predicate.value].append(fact)
    groups = []
    for predicate, values in by_predicate.items():
        values.sort(key=lambda f: (f.inferred, f.object.label.lower(), f.object.value))
        groups.append(Group(values[0].predicate or Node("iri", predicate, predicate), values, len(values)))
    groups.sort(key=lambda g: show.rank(g.predicate.value, g.predicate.label))
    sections: dict[str, Section] = {}
    for group in groups:  # sections in the order of their first property
        name = show.group_of(group.predicate.value)
        sections.setdefault(name, Section(name, [])).groups.append(group)
    return list(sections.values())


def _cite(kg: KnowledgeGraph, notes: Notes, sections: list[Section], rows: list[EventRow],
          explanations: Explanations) -> None:
    """Cite in the order the page shows: facts (their own notes, then their premises'), then the events' roles and
    dates. Every fact gets an anchor the notes link back to."""
    statements = index(kg)
    for count, fact in enumerate((f for s in sections for g in s.groups for f in g.facts), start=1):
        fact.anchor = f"f-{count}" if fact.predicate is None or fact.predicate.value != RDF_TYPE else f"t-{count}"
        _cite_fact(kg, notes, fact, explanations)
    for row in rows:
        for role in row.roles:
            role.fact.anchor = row.anchor
            if not role.incoming:
                _cite_fact(kg, notes, role.fact, explanations)
            else:
                assert role.fact.triple is not None
                t = role.fact.triple
                role.fact.notes = notes.cite(statements.for_triple(t.subject, t.predicate, t.object), row.anchor,
                                             row.event.node.label)
        if row.event.quote:  # the words that date it
            row.notes = [notes.note([s.value for s in row.event.sources], [], row.event.quote, row.anchor,
                                    row.event.node.label)]


def _cite_fact(kg: KnowledgeGraph, notes: Notes, fact: Fact, explanations: Explanations) -> None:
    assert fact.triple is not None and fact.predicate is not None
    t = fact.triple
    text = f"{fact.predicate.label}: {fact.object.label}"
    fact.notes = notes.cite(index(kg).for_triple(t.subject, t.predicate, t.object), fact.anchor, text)
    if fact.inferred:
        fact.why = why(kg, explanations.get((t.subject, t.predicate, t.object)), notes, fact.anchor, text)


def why(kg: KnowledgeGraph, explanation: Explanation | None, notes: Notes | None = None, anchor: str = "",
        text: str = "") -> Why | None:
    if explanation is None:
        return None
    premises = []
    for p in explanation.premises:
        cited = index(kg).for_triple(p.subject, p.predicate, p.object)
        premises.append(Premise(_premise_term(kg, p.subject), node(kg, p.predicate), _premise_term(kg, p.object),
                                p.inferred, notes.cite(cited, anchor, text) if notes is not None else []))
    return Why(explanation.rule, explanation.description, premises)


def _premise_term(kg: KnowledgeGraph, term: Any) -> Node:
    """A premise's term; a blank node (a property chain's list, an anonymous class) without its label, which is
    the store's own and means nothing to a reader: the same page whichever store serves it."""
    if isinstance(term, ox.BlankNode):
        return Node("bnode", "", "[an anonymous node]", None)
    return node(kg, term)


def _incoming(links: list[Fact], page: int) -> tuple[list[Group], int]:
    """Links to the entity from other entities (not from statement nodes), grouped by property, paged."""
    by_predicate: dict[str, list[Fact]] = defaultdict(list)
    for link in links:
        assert link.predicate is not None
        by_predicate[link.predicate.value].append(link)
    groups, pages = [], 1
    start = (max(page, 1) - 1) * INCOMING_PAGE_SIZE
    for facts in by_predicate.values():
        facts.sort(key=lambda f: (f.inferred, f.object.label.lower(), f.object.value))
        pages = max(pages, -(-len(facts) // INCOMING_PAGE_SIZE))
        predicate = facts[0].predicate
        assert predicate is not None
        groups.append(Group(predicate, facts[start:start + INCOMING_PAGE_SIZE], len(facts)))
    groups.sort(key=lambda g: (not g.predicate.value.startswith(HK), g.predicate.label.lower(), g.predicate.value))
    return [g for g in groups if g.facts], pages


def _summarise(kg: KnowledgeGraph, entity: Entity, show: Presentation, itself: Event | None) -> None:
    """The summary: key roles (the ontology's hk:displayInSummary properties, asserted values first, a few each),
    when and where (the entity's own date and places as an event, else those of its events)."""
    for group in entity.facts:
        if group.predicate.value in show.summary:
            entity.summary.append(Group(group.predicate, group.facts[:SUMMARY_VALUES], group.total))
    roles = [(row, r) for row in entity.events for r in row.roles
             if not r.incoming and r.predicate.value in show.summary]
    parts = _parts(kg, {row.event.node.value for row, _ in roles})
    roles.sort(key=lambda rr: rr[0].event.node.value in parts)  # whole events before their parts (stable)
    by_role: dict[str, Group] = {}
    for row, role in roles:  # one line per role: "pilot of: A, B, C …"
        group = by_role.setdefault(role.predicate.value, Group(role.predicate, [], 0))
        group.total += 1
        if len(group.facts) < SUMMARY_VALUES:
            group.facts.append(Fact(row.event.node, role.fact.inferred))
    entity.summary.extend(by_role.values())
    # When and where: the entity's own as an event; else those of the events it acts in (not a place's events).
    dated = [itself] if itself is not None else [r.event for r in entity.events if any(not x.incoming for x in r.roles)]
    days = [e.date_label for e in dated if e.precision == "day"] or [e.date_label for e in dated[:1]]
    labels = list(dict.fromkeys(days))
    entity.when = labels[:1] + labels[-1:] if len(labels) > 1 else labels
    places = {p.value: p for e in dated for p in e.places}
    entity.where = list(places.values())[:SUMMARY_VALUES]


def _parts(kg: KnowledgeGraph, events: set[str]) -> set[str]:
    """Which of `events` are part of another event (hk:subEventOf): one query, naming them."""
    if not events:
        return set()
    values = " ".join(f"<{ox.NamedNode(e).value}>" for e in sorted(events))
    rows = kg.query(f"SELECT DISTINCT ?e WHERE {{ VALUES ?e {{ {values} }} ?e <{HK}subEventOf> ?whole }}")
    return {row["e"].value for row in rows}


# --- RDF ----------------------------------------------------------------------------------------------------------
def rdf_triples(kg: KnowledgeGraph, iri: str, *, infer: bool = True) -> list[ox.Triple]:
    """The entity's triples, the statement nodes about them (with theirs), and labels of what it links to."""
    subject = ox.NamedNode(iri)
    out = dict.fromkeys(_split(kg, kg.triples(subject), infer))
    linked: set[Any] = {t.object for t in out if isinstance(t.object, ox.NamedNode)}
    statements = index(kg).about(iri)
    out.update(dict.fromkeys(q.triple for q in _quads_of(kg, [ox.NamedNode(st.iri) for st in statements])))
    linked.update(term for st in statements for term in (st.subject, st.object) if isinstance(term, ox.NamedNode))
    incoming = (q for q in kg.triples(None, None, subject) if graph_of(q) != kg.graphs.statements)
    for triple in _split(kg, incoming, infer):
        out[triple] = None
        linked.add(triple.subject)
    out.update(dict.fromkeys(q.triple for q in _quads_of(kg, linked - {subject}, ox.NamedNode(RDFS_LABEL))))
    return list(out)


def _quads_of(kg: KnowledgeGraph, subjects: Iterable[Any], predicate: ox.NamedNode | None = None) -> list[ox.Quad]:
    """The quads of many subjects (with `predicate`, if given): one request over a remote store, not one each."""
    return kg.quads_for_subjects(subjects, predicate)
