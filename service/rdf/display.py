"""One way to show an RDF term as text: the CLI's table, the SPARQL page's result table and the pages' nodes.

An IRI is shown as a prefixed name where one of the project's prefixes fits (else the whole IRI), a blank node as
`_:id`, a literal as its lexical form with a note: `@lang`, or its datatype shortened (none for xsd:string, the
default). Labels and links are the pages' business (service.features.nodes); this is what is left without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from service.rdf.namespaces import PREFIXES, XSD, shorten

XSD_STRING = XSD + "string"


@dataclass(frozen=True)
class Shown:
    kind: str                     # "iri", "bnode", "literal" or "unbound" (a variable without a value)
    value: str                    # the IRI, the blank node's id or the literal's lexical form ("" when unbound)
    text: str                     # what to show
    note: str = ""                # a literal's "@lang" or short datatype
    datatype: str | None = None   # a literal's datatype IRI, None for xsd:string and language-tagged strings
    language: str | None = None


def show(term: Any, prefixes: dict[str, str] = PREFIXES) -> Shown:
    """`term` (a pyoxigraph term, or None for an unbound variable) as text."""
    if term is None:
        return Shown("unbound", "", "")
    if isinstance(term, ox.NamedNode):
        return Shown("iri", term.value, shorten(term.value, prefixes))
    if isinstance(term, ox.BlankNode):
        return Shown("bnode", term.value, f"_:{term.value}")
    if isinstance(term, ox.Literal):
        if term.language:
            return Shown("literal", term.value, term.value, f"@{term.language}", language=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Shown("literal", term.value, term.value)
        return Shown("literal", term.value, term.value, shorten(datatype, prefixes), datatype)
    return Shown("literal", str(term), str(term))
