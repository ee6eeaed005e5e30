"""/ontology: the ontology documented (HTML) and downloadable (RDF by Accept or suffix); /class/<name>: members."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from service.features import vocabulary
from service.rdf.formats import Format
from service.rdf.namespaces import HK
from service.web import caching
from service.web.context import graph
from service.web.pages.paging import page_of
from service.web.pages.representations import HTML, RDF_OFFERED, negotiate, rdf_response

blueprint = Blueprint("ontology", __name__)
blueprint.after_request(caching.cache)


@blueprint.get("/ontology")
def ontology() -> Response:
    return _serve(None)


@blueprint.get("/ontology.<ext>")
def ontology_file(ext: str) -> Response:
    if not any(f.extension == ext for f in RDF_OFFERED):
        abort(404)
    return _serve(ext)


def _serve(suffix: str | None) -> Response:
    kg = graph()
    chosen = negotiate(suffix)  # 406 when nothing fits
    if chosen != HTML:
        assert isinstance(chosen, Format)
        return rdf_response(vocabulary.triples(kg), chosen, "histkg-ontology")
    body = render_template("ontology.html", v=vocabulary.vocabulary(kg),
                           downloads=[(f, f"/ontology.{f.extension}") for f in RDF_OFFERED])
    return Response(body, mimetype="text/html")


MEMBERS_PER_PAGE = 500  # hk:Person in a 5M-triple archive has ~100k members


@blueprint.get("/class/<name>")
def class_page(name: str) -> str:
    kg = graph()
    term = vocabulary.term_of(kg, name)
    if term is None or term.kind != "class":
        abort(404, description=f"the ontology has no class named {name[:100]!r}")
    members = page_of(vocabulary.members(kg, HK + name), MEMBERS_PER_PAGE)
    return render_template("class.html", t=term, p=members, path=f"/class/{name}")
