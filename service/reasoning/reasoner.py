"""OWL 2 RL materialisation with owlrl into a graph of its own: junk filtered, inconsistencies reported, cached.

Reasoning runs once per change of the input files, never per request. The closure is cached on disk under a key
made from the inputs' bytes and the reasoner's version; the file is written atomically and carries a checksum, so
a half-written or corrupt cache is rebuilt rather than trusted.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
import rdflib
from owlrl import DatatypeHandling
from owlrl.OWLRL import OWLRL_Semantics

from service.errors import InconsistencyError, UnsupportedOntology
from service.rdf.namespaces import OWL, RDF, RDF_TYPE, RDFS, XSD
from service.rdf.terms import triples_from_rdflib, triples_to_rdflib
from service.reasoning import materialise as fast

log = logging.getLogger(__name__)

# Bump when the filter or the rule set changes: it invalidates every cached closure.
REASONER_VERSION = "3"
_VOCABULARY_NAMESPACES = (RDF, RDFS, OWL, XSD)
_REFLEXIVE_NOISE = {OWL + "sameAs", RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass",
                    OWL + "equivalentProperty"}
_TRIVIAL_TYPES = {OWL + "Thing", RDFS + "Resource"}
_CHECKSUM_MARK = "# histkg-closure "
_OWLRL_LEXICAL = "Lexical value of the literal"
REASONERS = ("auto", "owlrl", "fast")
# owlrl is imported with this module (service.reasoning.materialise needs its datatype tables anyway): a lazy
# import was tried and reverted (c15dd04, 0c09ba8), since a request could then be the first to import rdflib,
# whose plugin scan reads files the outbound guard refuses.
_OWLRL_VERSION = metadata.version("owlrl")


def cache_key(inputs: Iterable[bytes]) -> str:
    digest = hashlib.sha256(f"owlrl {_OWLRL_VERSION}; histkg reasoner {REASONER_VERSION}".encode())
    for blob in inputs:
        digest.update(hashlib.sha256(blob).digest())
    return digest.hexdigest()


def is_junk(triple: ox.Triple) -> bool:
    """owlrl output that is not worth keeping or not valid RDF.

    Literal subjects (owlrl's datatype rules), statements about the RDF/RDFS/OWL/XSD vocabularies themselves,
    reflexive sameAs/subClassOf/subPropertyOf, and typings every resource has (owl:Thing, rdfs:Resource).
    """
    s, p, o = triple.subject, triple.predicate.value, triple.object
    if isinstance(s, ox.Literal | ox.Triple):
        return True
    if isinstance(s, ox.NamedNode) and s.value.startswith(_VOCABULARY_NAMESPACES):
        return True
    if p in _REFLEXIVE_NOISE and s == o:
        return True
    return p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value in _TRIVIAL_TYPES


def materialise(ontology: Iterable[ox.Triple], facts: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The filtered OWL 2 RL inferences of ontology + facts (input triples excluded). Raises on inconsistency.

    Ill-typed literals are found first, by XML Schema's grammar (as the fast materialiser does); owlrl's own
    lexical messages come from Python converters that refuse valid forms such as 0E1, so they are dropped."""
    ontology, facts = list(ontology), list(facts)
    if problems := fast.ill_typed(fast.literals_of([*ontology, *facts])):
        raise InconsistencyError(problems)
    graph = rdflib.Graph()
    triples_to_rdflib(ontology, graph)
    triples_to_rdflib(facts, graph)
    asserted = set(graph)
    closure = OWLRL_Semantics(graph, False, False, rdfs=False)
    DatatypeHandling.use_Alt_lexical_conversions()
    try:
        closure.closure()
    except (ValueError, ArithmeticError, TypeError) as error:
        # owlrl raises instead of reporting on some malformed literals (e.g. "abc"^^xsd:decimal).
        raise InconsistencyError([f"the reasoner could not process the data: {type(error).__name__}: {error}"]) \
            from None
    finally:
        DatatypeHandling.use_RDFLib_lexical_conversions()
    if problems := sorted(str(m) for m in closure.error_messages if not str(m).startswith(_OWLRL_LEXICAL)):
        raise InconsistencyError(problems)
    # Literal subjects come from owlrl's datatype rules; they are not RDF and cannot even be built as terms.
    new = (t for t in graph
           if t not in asserted and not isinstance(t[0], rdflib.Literal) and not _is_error_node(graph, t))
    return [t for t in triples_from_rdflib(new) if not is_junk(t)]


def _is_error_node(graph: rdflib.Graph, triple: tuple[rdflib.term.Node, ...]) -> bool:
    # owlrl appends its error messages as blank nodes in the daml "agent-ont" namespace; errors were raised above,
    # so these never reach here, but guard anyway.
    return str(triple[1]).startswith("http://www.daml.org/2002/03/agents/agent-ont#")


def read_cache_body(path: Path) -> bytes | None:
    """The cached closure as verified N-Triples that parse, or None (absent, incomplete or corrupt: rebuilt).

    The store loads these bytes itself: no Python object per triple (500k: 3 s -> under 1 s)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # The last line is the trailer; everything before it (possibly nothing) is the N-Triples body.
    split = data.rfind(b"\n", 0, len(data) - 1) + 1
    body, trailer = data[:split], data[split:].rstrip(b"\n")
    if trailer != f"{_CHECKSUM_MARK}{hashlib.sha256(body).hexdigest()}".encode():
        log.warning("closure cache %s is incomplete or corrupt; reasoning again", path)
        return None
    try:
        # A checksum vouches for the bytes, not their syntax; a lenient pass (no IRI checks) costs 0.6 s at 700k.
        collections.deque(ox.parse(body, format=ox.RdfFormat.N_TRIPLES, lenient=True), maxlen=0)
    except SyntaxError:
        log.warning("closure cache %s does not parse; reasoning again", path)
        return None
    return body


def write_cache(path: Path, triples: Iterable[ox.Triple]) -> None:
    """Write atomically: a temporary file in the same folder, then a rename. No half-written cache is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    trailer = f"{_CHECKSUM_MARK}{hashlib.sha256(body).hexdigest()}\n".encode()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body + trailer)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def materialise_fast(ontology: Iterable[ox.Triple], facts: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Same contract as `materialise`, by reasoning.materialise (semi-naive, compiled rules); the same junk filter.
    Raises UnsupportedOntology when the ontology uses OWL that it does not implement."""
    with fast.paused_gc():
        return [t for t in fast.materialise(ontology, facts) if not is_junk(t)]


def reason(ontology: list[ox.Triple], facts: list[ox.Triple], mode: str = "auto",
           threshold: int = 20_000) -> list[ox.Triple]:
    """The closure by owlrl, by the fast materialiser, or ("auto") by the fast one from `threshold` input triples
    on (owlrl when the ontology uses OWL the fast one does not implement)."""
    if mode not in REASONERS:
        raise ValueError(f"unknown reasoner {mode!r} (one of {', '.join(REASONERS)})")
    if mode == "owlrl" or (mode == "auto" and len(ontology) + len(facts) < threshold):
        return materialise(ontology, facts)
    try:
        return materialise_fast(ontology, facts)
    except UnsupportedOntology as error:
        if mode == "fast":
            raise
        log.warning("%s; reasoning with owlrl instead", error)
        return materialise(ontology, facts)


def closure(
    ontology: list[ox.Triple], facts: list[ox.Triple], key: str, cache_dir: Path | None,
    mode: str = "auto", threshold: int = 20_000,
) -> tuple[list[ox.Triple] | bytes, bool]:
    """(inferred triples — or, from the cache, their verified N-Triples — and whether they came from the cache).
    Both reasoners give the same closure, so they share the cache (tests/test_materialise.py holds them to that)."""
    path = cache_dir / f"closure-{key}.nt" if cache_dir else None
    if path is not None and (cached := read_cache_body(path)) is not None:
        return cached, True
    inferred = reason(ontology, facts, mode, threshold)
    if path is not None:
        try:
            write_cache(path, inferred)
        except OSError as error:  # a read-only or full disk costs speed at the next start, not correctness
            log.warning("could not write closure cache %s: %s", path, error)
    return inferred, False
