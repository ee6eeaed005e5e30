"""Statements as Web Annotations, and a reader for each source (service.features.sources.annotations, reader).

- A statement's IRI answers as a Web Annotation (JSON-LD, `application/ld+json;
  profile="http://www.w3.org/ns/anno.jsonld"`) when Accept asks for that profile, or at the suffix `.anno.jsonld`
  (`/statement/x.anno.jsonld`). Chosen here before the entity route, which answers every other representation;
  `Vary: Accept` either way.
- `/source/<name>/annotations`: the AnnotationCollection of a source's statements; `?page=N` its AnnotationPages.
- `/source/<name>`: the reader, the source's quoted passages in the order of the text with what each supports.
- `/ns/anno.jsonld`: the model's context, a vendored copy (nothing is fetched).
`<name>` is the source's IRI without `{base}id/` (the source `id:article-leone-2023` reads at
`/source/article-leone-2023`).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.http import parse_options_header

from service.features.sources import annotations as anno
from service.features.sources import reader
from service.web import caching, cors
from service.web.context import graph
from service.web.params import whole_number

blueprint = Blueprint("reading", __name__)
blueprint.after_request(caching.cache)

SUFFIX = ".anno.jsonld"
_STATEMENT = "/statement/"


def wants_annotation() -> bool:
    """Accept names application/ld+json with the anno profile, at a q no lower than anything else it names."""
    best_other, profiled = 0.0, 0.0
    for item in request.headers.get("Accept", "").split(","):
        media, options = parse_options_header(item)
        try:
            q = float(options.get("q", "1"))
        except ValueError:
            q = 0.0
        profiles = options.get("profile", "").split()
        if media.lower() == "application/ld+json" and anno.CONTEXT_URL in profiles:
            profiled = max(profiled, q)
        elif media:
            best_other = max(best_other, q)
    return profiled > 0 and profiled >= best_other


def _json(document: Any, media_type: str = anno.MEDIA_TYPE, link_type: str | None = None) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=1), content_type=media_type)
    response.vary.add("Accept")
    response.headers.update(cors.answer_headers())  # annotation clients read these from other origins
    if link_type:
        response.headers["Link"] = f'<{link_type}>; rel="type"'
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


@blueprint.before_app_request
def statement_as_annotation() -> Response | None:
    """The annotation of a statement IRI, when asked for; else None (the entity route answers)."""
    path = request.path
    if request.method not in ("GET", "HEAD") or not path.startswith(_STATEMENT):
        return None
    by_suffix = path.endswith(SUFFIX)
    if not by_suffix and not wants_annotation():
        return None
    kg = graph()
    iri = kg.settings.base + path.removesuffix(SUFFIX).lstrip("/")
    st = anno.statement(kg, iri)
    if st is None:
        if by_suffix:
            raise NotFound(f"no statement <{iri}>")
        return None  # not a statement node: the entity route says what it has
    anchor = anno.anchors(kg, [iri]).get(iri, anno.Anchor(None, None, None))
    response = _json(anno.annotation(kg, st, anchor), link_type="http://www.w3.org/ns/ldp#Resource")
    return caching.cache(response)


def _source(name: str) -> str:
    kg = graph()
    if len(name) > 300:
        raise BadRequest("the source name is too long")
    iri = f"{kg.settings.base}id/{name}"
    if not reader.quoted(kg, iri):
        raise NotFound(f"no statement quotes <{iri}>: it has no passages to read")
    return iri


@blueprint.get("/source/<path:name>/annotations")
def collection(name: str) -> Response:
    kg = graph()
    source = _source(name)
    raw = request.args.get("page")
    if raw is None:
        return _json(anno.collection(kg, source, name), link_type="http://www.w3.org/ns/ldp#BasicContainer")
    number = whole_number(raw, max_digits=6)
    found = anno.page(kg, source, name, number) if number else None
    if found is None:
        raise BadRequest(f"page={raw[:20]!r}: use a page number from 1 to the collection's last")
    return _json(found)


@blueprint.get("/source/<path:name>")
def read(name: str) -> Response:
    kg = graph()
    source = _source(name)
    found = reader.read(kg, source, name)
    if found is None:
        raise NotFound(f"no statement quotes <{source}>")
    response = Response(render_template("reader.html", r=found), mimetype="text/html")
    response.vary.add("Accept")
    return response


@blueprint.get("/ns/anno.jsonld")
def context() -> Response:
    return _json(anno.context_document(), "application/ld+json")


@blueprint.app_template_global()
def reader_url(iri: str) -> str | None:
    """The reader of a source (for its entity page), or None when no statement quotes it."""
    kg = graph()
    prefix = f"{kg.settings.base}id/"
    if not iri.startswith(prefix) or not reader.quoted(kg, iri):
        return None
    return f"/source/{iri[len(prefix):]}"
