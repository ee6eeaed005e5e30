"""Writing RDF and SPARQL results. pyoxigraph writes RDF fast; rdflib writes JSON-LD with a local context.

SPARQL result formats are written here rather than by the engine so that a capped result can say it was capped
(a `histkg` member in JSON, a comment in XML) and so TSV follows the SPARQL 1.1 TSV spec exactly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
import rdflib

from service.rdf.formats import Format
from service.rdf.namespaces import PREFIXES
from service.rdf.terms import to_rdflib

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Row = Sequence[Any]  # one term (or None when unbound) per variable


# --- RDF ----------------------------------------------------------------------------------------------------------
def rdf(items: Iterable[ox.Triple | ox.Quad], fmt: Format, prefixes: dict[str, str] = PREFIXES) -> bytes:
    """Triples or quads in `fmt`. Quads written to a graph-only format lose their graph names (their union)."""
    items = list(items)
    if fmt.name == "jsonld":
        return _jsonld(items, prefixes)
    rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
    if rdf_format is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    if not rdf_format.supports_datasets:
        items = [i.triple if isinstance(i, ox.Quad) else i for i in items]
    elif items and isinstance(items[0], ox.Triple):
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    kwargs: dict[str, Any] = {}
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes
    return ox.serialize(items, format=rdf_format, **kwargs) or b""  # type: ignore[arg-type]  # all one kind


def _jsonld(items: list[ox.Triple | ox.Quad], prefixes: dict[str, str]) -> bytes:
    """Compacted JSON-LD whose @context is the project's prefixes, written inline: never a remote context."""
    dataset = rdflib.Dataset()
    for item in items:
        graph = dataset.default_graph
        if isinstance(item, ox.Quad) and isinstance(item.graph_name, ox.NamedNode):
            graph = dataset.graph(rdflib.URIRef(item.graph_name.value))
        graph.add((to_rdflib(item.subject), to_rdflib(item.predicate), to_rdflib(item.object)))  # type: ignore[arg-type]
    has_named = any(isinstance(i, ox.Quad) and isinstance(i.graph_name, ox.NamedNode) for i in items)
    target = dataset if has_named else dataset.default_graph
    text = target.serialize(format="json-ld", context=dict(prefixes), auto_compact=True)
    return text.encode("utf-8")


# --- SPARQL results -----------------------------------------------------------------------------------------------
def results(variables: list[str], rows: Iterable[Row], fmt: Format, truncated_at: int | None = None) -> bytes:
    writer = {"json": _results_json, "xml": _results_xml, "csv": _results_csv, "tsv": _results_tsv}[fmt.name]
    return writer(variables, list(rows), truncated_at)


def boolean(value: bool, fmt: Format) -> bytes:
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt.name == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n  <head/>\n'
                f"  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n").encode()
    # CSV/TSV have no boolean form in the standard; Fuseki and others write the bare word. So do we.
    header = "_askResult\r\n" if fmt.name == "csv" else "?_askResult\n"
    return (header + ("true" if value else "false") + ("\r\n" if fmt.name == "csv" else "\n")).encode()


def term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {  # type: ignore[dict-item]
            "subject": term_json(term.subject), "predicate": term_json(term.predicate),
            "object": term_json(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _results_json(variables: list[str], rows: list[Row], truncated_at: int | None) -> bytes:
    bindings = [{v: term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    doc: dict[str, Any] = {"head": {"vars": variables}}
    if truncated_at is not None:
        # Not part of the standard; clients ignore unknown members. The X-Histkg-Truncated header says it too.
        # Before "results": streaming parsers (Oxigraph's) refuse anything after the bindings.
        doc["histkg"] = {"truncated": True, "limit": truncated_at}
    doc["results"] = {"bindings": bindings}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _term_xml(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _results_xml(variables: list[str], rows: list[Row], truncated_at: int | None) -> bytes:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    out += [f"    <variable name={quoteattr(v)}/>" for v in variables]
    out.append("  </head>")
    if truncated_at is not None:
        out.append(f"  <!-- histkg: result truncated at {truncated_at} rows -->")
    out.append("  <results>")
    for row in rows:
        out.append("    <result>")
        out += [f"      <binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=True) if t is not None]
        out.append("    </result>")
    out += ["  </results>", "</sparql>", ""]
    return "\n".join(out).encode("utf-8")


def _csv_value(term: Any) -> str:
    # SPARQL 1.1 CSV: plain values, no datatype or language; blank nodes as _:label.
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def _results_csv(variables: list[str], rows: list[Row], truncated_at: int | None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_value(t) for t in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def tsv_term(term: Any) -> str:
    """A term as SPARQL 1.1 TSV writes it: N-Triples/Turtle syntax with tab and newlines escaped."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return f"<< {tsv_term(term.subject)} {tsv_term(term.predicate)} {tsv_term(term.object)} >>"
    value = (term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
             .replace("\r", "\\r").replace("\t", "\\t"))
    if term.language:
        return f'"{value}"@{term.language}'
    if term.datatype.value != XSD_STRING:
        return f'"{value}"^^<{term.datatype.value}>'
    return f'"{value}"'


def _results_tsv(variables: list[str], rows: list[Row], truncated_at: int | None) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
