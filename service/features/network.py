"""Who and what are linked: people, organisations and units, aircraft, places and events as nodes; facts, inferred
links and claims as edges, each kept apart (a claim is drawn by its status, never as a fact). Laid out on the
server with networkx's spring layout from a fixed seed, so the picture is stable across reloads and readable
without JavaScript; the node list beside it is its text equivalent.

Why server-side SVG rather than a client library (cytoscape, vis-network, sigma): the layout is computed once per
request, is the same for every reader and in tests, needs no vendored bundle, and keeps every node a plain link.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.features.nodes import display_label, link_for
from service.rdf.namespaces import HK, RDF
from service.store.graph import KnowledgeGraph

KINDS = {  # the most specific first: an event's kind wins over anything else it is typed as
    "event": HK + "Event", "aircraft": HK + "Aircraft", "place": HK + "Place", "person": HK + "Person",
    "unit": HK + "Organisation",
}
KIND_TITLES = {"person": "people", "unit": "organisations and units", "aircraft": "aircraft", "place": "places",
               "event": "events"}
ASSERTED = HK + "Asserted"


@dataclass
class NetNode:
    iri: str
    label: str
    kind: str
    href: str | None
    step: int = 0  # distance from the centre (0 for the centre, and for every node of the whole view)
    x: float = 0.0
    y: float = 0.0
    # Its label as drawn: shortened, and placed beside the point where it overlaps the fewest others (place_labels).
    text: str = ""
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "middle"


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # "fact", "inferred" or "claim"
    labels: list[str] = field(default_factory=list)
    status: str | None = None  # a claim's status label (claim, disputed, hedged)


@dataclass
class Network:
    nodes: dict[str, NetNode]
    edges: list[Edge]
    width: int
    height: int
    centre: str | None = None

    def by_kind(self) -> dict[str, list[NetNode]]:
        grouped: dict[str, list[NetNode]] = defaultdict(list)
        for n in sorted(self.nodes.values(), key=lambda n: (n.step, n.label.lower())):
            grouped[n.kind].append(n)
        return {k: grouped[k] for k in KIND_TITLES if grouped.get(k)}


def entity_kinds(kg: KnowledgeGraph) -> dict[str, str]:
    rank = list(KINDS)
    found: dict[str, str] = {}
    values = " ".join(f"<{c}>" for c in KINDS.values())
    for row in kg.query(f"SELECT ?s ?c WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }}"):
        kind = next(k for k, c in KINDS.items() if c == row["c"].value)
        old = found.get(row["s"].value)
        if old is None or rank.index(kind) < rank.index(old):
            found[row["s"].value] = kind
    return found


def kind_of(kg: KnowledgeGraph, iri: str) -> str | None:
    """The kind the network draws `iri` as (entity_kinds' answer for it), from its own triples: an entity page has
    asked for them already, so over a remote store this is no new request, where entity_kinds reads the archive."""
    types = {q.object.value for q in kg.triples(ox.NamedNode(iri))
             if q.predicate.value == RDF + "type" and isinstance(q.object, ox.NamedNode)}
    return next((kind for kind, cls in KINDS.items() if cls in types), None)


def _edges(kg: KnowledgeGraph, kinds: dict[str, str]) -> list[Edge]:
    """One edge per pair of entities: a fact where one is asserted (either direction), else an inferred link;
    claims apart, one per (pair, status)."""
    pairs: dict[frozenset[str], Edge] = {}
    facts, inferred = kg.graphs.facts, kg.graphs.inferred
    for graph_name, kind in ((facts, "fact"), (inferred, "inferred")):
        for q in kg.triples(graph=graph_name):
            if not isinstance(q.subject, ox.NamedNode) or not isinstance(q.object, ox.NamedNode):
                continue
            s, o = q.subject.value, q.object.value
            if s == o or s not in kinds or o not in kinds or q.predicate.value == RDF + "type":
                continue
            key = frozenset((s, o))
            edge = pairs.get(key)
            if edge is None:
                edge = pairs[key] = Edge(s, o, kind)
            if edge.kind == kind:
                label = display_label(kg, q.predicate.value)
                if label not in edge.labels:
                    edge.labels.append(label)
    claims: dict[tuple[str, str, str], Edge] = {}
    query = f"""SELECT ?s ?p ?o ?status WHERE {{ ?st <{RDF}subject> ?s ; <{RDF}predicate> ?p ; <{RDF}object> ?o ;
                <{HK}status> ?status . FILTER(?status != <{ASSERTED}>) }}"""
    for row in kg.query(query):
        s, o = row["s"].value, row["o"].value
        if s in kinds and o in kinds and s != o:
            status = display_label(kg, row["status"].value)
            edge = claims.setdefault((s, o, status), Edge(s, o, "claim", status=status))
            label = display_label(kg, row["p"].value)
            if label not in edge.labels:
                edge.labels.append(label)
    return list(pairs.values()) + list(claims.values())


def _graph(kg: KnowledgeGraph) -> tuple[dict[str, str], list[Edge]]:
    kinds = entity_kinds(kg)
    return kinds, _edges(kg, kinds)


def neighbourhood(kg: KnowledgeGraph, iri: str, steps: int = 2, limit: int = 32) -> Network | None:
    """The entity and what is within `steps` links of it (at most `limit` nodes, nearest first); None when the
    entity is none of the kinds drawn."""
    kinds, edges = _graph(kg)
    if iri not in kinds:
        return None
    adjacent: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        adjacent[e.source].add(e.target)
        adjacent[e.target].add(e.source)
    distance = {iri: 0}
    queue = deque([iri])
    while queue and len(distance) < limit:
        here = queue.popleft()
        if distance[here] >= steps:
            continue
        for there in sorted(adjacent[here], key=lambda i: (display_label(kg, i).lower(), i)):
            if there not in distance and len(distance) < limit:
                distance[there] = distance[here] + 1
                queue.append(there)
    return _laid_out(kg, kinds, [e for e in edges if e.source in distance and e.target in distance], distance, iri)


def whole(kg: KnowledgeGraph, kinds_shown: set[str] | None = None) -> Network:
    """Every entity of the chosen kinds (all by default) and the links among them."""
    kinds, edges = _graph(kg)
    chosen = {i: 0 for i, k in kinds.items() if kinds_shown is None or k in kinds_shown}
    return _laid_out(kg, kinds, [e for e in edges if e.source in chosen and e.target in chosen], chosen, None)


def _laid_out(kg: KnowledgeGraph, kinds: dict[str, str], edges: list[Edge], members: dict[str, int],
              centre: str | None) -> Network:
    # Laid out by what the data states (facts, claims); inferred links are drawn but do not pull: the reasoner's
    # before/after closure links every event with every other and would crush them into one knot. One counts only
    # where it joins pieces the stated links leave apart.
    import networkx as nx  # type: ignore[import-untyped]  # here: ~0.09 s of imports a start need not pay

    g = nx.Graph()
    g.add_nodes_from(sorted(members))
    g.add_edges_from(sorted((e.source, e.target) for e in edges if e.kind != "inferred"))
    pieces = nx.utils.UnionFind(g.nodes)
    for a, b in g.edges:
        pieces.union(a, b)
    for a, b in sorted((e.source, e.target) for e in edges if e.kind == "inferred"):
        if pieces[a] != pieces[b]:
            g.add_edge(a, b)
            pieces.union(a, b)
    n = max(len(members), 1)
    width = 1100 if n > 45 else 900 if n > 30 else 760  # a larger drawing when dense: the labels keep 11 px
    height = round(width * (0.8 if n > 12 else 0.62))
    # Kamada-Kawai (distances in the drawing follow distances in the graph) from a seeded spring layout, over
    # sorted input: the same data gives the same picture, and clusters spread better than a spring layout alone.
    start = nx.spring_layout(g, seed=12)
    positions = nx.kamada_kawai_layout(g, pos=start) if n > 2 else start
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    margin_x, margin_y = 110, 30
    nodes = {}
    for iri, step in members.items():
        px, py = positions[iri]
        nodes[iri] = NetNode(iri, display_label(kg, iri), kinds[iri], link_for(iri, kg.settings.base), step,
                             round(margin_x + (px - min(xs)) / span_x * (width - 2 * margin_x), 1),
                             round(margin_y + (py - min(ys)) / span_y * (height - 2 * margin_y), 1))
    order = {"inferred": 0, "fact": 1, "claim": 2}  # claims drawn last, on top
    place_labels(list(nodes.values()), edges, centre, width, height)
    return Network(nodes, sorted(edges, key=lambda e: (order[e.kind], e.source, e.target)), width, height, centre)


LABEL_CHARS = 28
CHAR_WIDTH, LINE_HEIGHT = 6.2, 13.0  # 11 px system-ui: an average character's width, a line's height (style.css)
Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def place_labels(nodes: list[NetNode], edges: list[Edge], centre: str | None, width: int, height: int) -> None:
    """Each label above, below, right or left of its point, or at a corner: the first of those that overlaps no
    label placed before it and no point, else the one that overlaps least. The centre and the best linked go first
    (they keep the usual place above), and a label stays inside the drawing."""
    degree: dict[str, int] = defaultdict(int)
    for e in edges:
        degree[e.source] += 1
        degree[e.target] += 1
    points = [(n.x - 9, n.y - 9, n.x + 9, n.y + 9) for n in nodes]
    placed: list[Box] = []
    for n in sorted(nodes, key=lambda n: (n.iri != centre, n.step, -degree[n.iri], n.label.lower())):
        n.text = n.label if len(n.label) <= LABEL_CHARS else n.label[:LABEL_CHARS - 1].rstrip() + "…"
        w, r = len(n.text) * CHAR_WIDTH, 13 if n.iri == centre else 9
        candidates = [(n.x, n.y - r - 3, "middle"), (n.x, n.y + r + 11, "middle"),
                      (n.x + r + 3, n.y + 4, "start"), (n.x - r - 3, n.y + 4, "end"),
                      (n.x + r - 2, n.y - r - 3, "start"), (n.x - r + 2, n.y - r - 3, "end"),
                      (n.x + r - 2, n.y + r + 11, "start"), (n.x - r + 2, n.y + r + 11, "end")]
        best: tuple[float, Box, tuple[float, float, str]] | None = None
        for x, y, anchor in candidates:
            left = x - w / 2 if anchor == "middle" else x if anchor == "start" else x - w
            box = (left, y - LINE_HEIGHT + 3, left + w, y + 3)
            outside = max(0.0, -box[0]) + max(0.0, box[2] - width) + max(0.0, -box[1]) + max(0.0, box[3] - height)
            cost = sum(_overlap(box, b) for b in placed) + sum(_overlap(box, p) for p in points) + outside * 100
            if best is None or cost < best[0]:
                best = (cost, box, (x, y, anchor))
            if cost == 0:
                break
        assert best is not None
        placed.append(best[1])
        n.label_x, n.label_y, n.anchor = round(best[2][0], 1), round(best[2][1], 1), best[2][2]
