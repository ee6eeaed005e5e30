"""Reading RDF files into quads: any format, named graphs kept, clear errors naming file and line.

The loader also splits a dataset's default graph in two: statement nodes (provenance and claims) go to the
statements graph, everything else to the facts graph. Reasoning runs on facts only, so a claim never becomes a fact.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.errors import DataFileError
from service.rdf import formats, xsd
from service.rdf.namespaces import HK_STATEMENT, RDF, RDF_STATEMENT, RDF_TYPE, GraphNames

_STATEMENT_TYPES = {HK_STATEMENT, RDF_STATEMENT}
_REIFICATION = {RDF + "subject", RDF + "predicate", RDF + "object"}


@dataclass
class LoadedData:
    """What the files hold, sorted into the service's graphs. Named graphs from the input keep their names."""

    ontology: list[ox.Triple] = field(default_factory=list)
    facts: list[ox.Triple] = field(default_factory=list)
    statements: list[ox.Triple] = field(default_factory=list)
    named: dict[str, list[ox.Triple]] = field(default_factory=dict)
    # One line per file read, in order: its role and name and the digest of its bytes. The closure cache is keyed
    # by these, so a file is read once for both parsing and the key.
    fingerprints: list[bytes] = field(default_factory=list)

    def read(self, path: Path, role: str, data: bytes | None = None) -> bytes:
        """The bytes of `path` (read now unless given), for `role` ("ontology", "data" or a named graph's IRI),
        fingerprinted."""
        if data is None:
            data = read_file(path)
        self.fingerprints.append(fingerprint(path, role, data))
        return data

    def size(self) -> int:
        """Triples in every graph (ontology, facts, statements, named)."""
        return len(self.ontology) + len(self.facts) + len(self.statements) + sum(map(len, self.named.values()))

    def quads(self, graphs: GraphNames) -> Iterable[ox.Quad]:
        for name, triples in (
            (graphs.ontology, self.ontology), (graphs.facts, self.facts), (graphs.statements, self.statements),
            *self.named.items(),
        ):
            graph = ox.NamedNode(name)
            for t in triples:
                yield ox.Quad(t.subject, t.predicate, t.object, graph)


def fingerprint(path: Path, role: str, data: bytes) -> bytes:
    return f"{role}\0{path.name}\0".encode() + hashlib.sha256(data).digest()


def read_inputs(ontology_files: Iterable[Path], data_files: Iterable[Path],
                graph_files: Iterable[tuple[str, Path]] = ()) -> tuple[list[bytes], dict[Path, bytes]]:
    """The fingerprints `load_files` records for the same files, without parsing them, and the files' bytes (for
    `load_files(contents=...)`, so that a start that must parse after all reads each file once)."""
    roles = [(path, "ontology") for path in ontology_files] + [(path, "data") for path in data_files] + [
        (path, graph) for graph, path in graph_files]
    contents = {path: read_file(path) for path, _ in roles}
    return [fingerprint(path, role, contents[path]) for path, role in roles], contents


def rdf_format_for(path: Path) -> ox.RdfFormat:
    fmt = formats.by_extension(path.suffix)
    if fmt is None or fmt.kind is formats.Kind.RESULTS:
        raise DataFileError(str(path), f"unknown RDF file type {path.suffix!r} (use .ttl .trig .nt .nq .jsonld .rdf)")
    rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
    if rdf_format is None:
        raise DataFileError(str(path), f"cannot read {fmt.name} files")
    return rdf_format


def read_file(path: Path) -> bytes:
    if not path.is_file():
        raise DataFileError(str(path), "no such file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise DataFileError(str(path), error.strerror or "cannot read the file") from None


def parse_file(path: Path, file_index: int = 0) -> list[ox.Quad]:
    return parse_bytes(path, read_file(path), file_index)


def parse_bytes(path: Path, data: bytes, file_index: int = 0) -> list[ox.Quad]:
    """Every quad in `data` (the bytes of `path`), blank nodes relabelled `f<file_index>b<n>` in order of first
    appearance.

    Deterministic labels keep a cached closure valid across restarts (the parser's own labels for `[]` are random)
    and keep two files from sharing a blank node by accident.

    JSON-LD remote contexts are refused by the parser (no document loader is set), and RDF/XML with a DOCTYPE or
    ENTITY declaration is refused before parsing (external entities could name local files; internal ones can
    expand without bound), so loading a file never opens another file or a connection.
    """
    rdf_format = rdf_format_for(path)
    try:
        if rdf_format == ox.RdfFormat.RDF_XML:
            _refuse_dtd(path, data)
        quads = list(ox.parse(data, format=rdf_format, base_iri=path.resolve().as_uri()))
    except SyntaxError as error:
        message = error.msg if error.msg else str(error)
        raise DataFileError(str(path), message, error.lineno, error.offset) from None
    except (OSError, ValueError) as error:
        raise DataFileError(str(path), str(error)) from None
    _check_literals(path, data, quads)
    return _relabel_blank_nodes(quads, f"f{file_index}b")


def _check_literals(path: Path, data: bytes, quads: list[ox.Quad]) -> None:
    """A literal outside its datatype's lexical space (service.rdf.xsd) stops the load, naming file and line."""
    checks, literal = xsd.CHECKS, ox.Literal
    for quad in quads:
        term = quad.object
        if type(term) is literal and (check := checks.get(term.datatype.value)) is not None and \
                not check(term.value):
            raise DataFileError(str(path), xsd.problem(term.value, term.datatype.value), xsd.line_of(data, term.value))


_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse_dtd(path: Path, data: bytes) -> None:
    data = data.replace(b"\0", b"")  # UTF-16 / UTF-32 text reads as ASCII with the NULs gone
    match = _DTD.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise DataFileError(str(path), f"RDF/XML with a <!{match.group(1).decode().upper()} declaration is refused: "
                            "entity declarations can read local files or expand without bound; remove the DTD",
                            line)


def _relabel_blank_nodes(quads: list[ox.Quad], prefix: str) -> list[ox.Quad]:
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def relabel(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            if term not in labels:
                labels[term] = ox.BlankNode(f"{prefix}{len(labels)}")
            return labels[term]
        return term

    blank = ox.BlankNode
    # Most quads hold no blank node: keep those objects as they are (rebuilding every quad cost 2.5 s at 500k).
    return [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), relabel(q.graph_name))
            if type(q.subject) is blank or type(q.object) is blank or type(q.graph_name) is blank else q
            for q in quads]


def load_files(ontology_files: Iterable[Path], data_files: Iterable[Path],
               graph_files: Iterable[tuple[str, Path]] = (), contents: dict[Path, bytes] | None = None) -> LoadedData:
    """Parse and sort every file. `contents`: bytes already read (see read_inputs); each is taken out of that dict
    when its file is parsed, so the bytes are let go as parsing goes."""
    loaded = LoadedData()
    given = contents if contents is not None else {}
    data_default: list[ox.Triple] = []
    files = [(path, loaded.ontology, "ontology") for path in ontology_files] + [
        (path, data_default, "data") for path in data_files]
    for index, (path, default, role) in enumerate(files):
        for quad in parse_bytes(path, loaded.read(path, role, given.pop(path, None)), index):
            _add(loaded, quad, default=default)
    loaded.facts, loaded.statements = split_statements(data_default)
    for offset, (graph, path) in enumerate(graph_files, start=len(files)):
        data = loaded.read(path, graph, given.pop(path, None))
        loaded.named.setdefault(graph, []).extend(q.triple for q in parse_bytes(path, data, offset))
    return loaded


def _add(loaded: LoadedData, quad: ox.Quad, default: list[ox.Triple]) -> None:
    if isinstance(quad.graph_name, ox.DefaultGraph):
        default.append(quad.triple)
    else:
        loaded.named.setdefault(quad.graph_name.value, []).append(quad.triple)


def split_statements(triples: list[ox.Triple]) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """(facts, statements): a statement node is typed hk:Statement / rdf:Statement or uses rdf:subject etc.

    Blank nodes hanging off a statement node (and only reachable that way) travel with it.
    """
    statement_nodes: set[ox.NamedNode | ox.BlankNode] = set()
    for t in triples:
        is_typed = t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode) and \
            t.object.value in _STATEMENT_TYPES
        if t.predicate.value in _REIFICATION or is_typed:
            statement_nodes.add(t.subject)  # type: ignore[arg-type]
    by_subject: dict[object, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    todo = list(statement_nodes)
    while todo:
        node = todo.pop()
        for t in by_subject.get(node, ()):
            if isinstance(t.object, ox.BlankNode) and t.object not in statement_nodes:
                statement_nodes.add(t.object)
                todo.append(t.object)
    facts = [t for t in triples if t.subject not in statement_nodes]
    statements = [t for t in triples if t.subject in statement_nodes]
    return facts, statements
