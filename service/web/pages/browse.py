"""/timeline (every dated event in order, paged) and /export (the whole dataset as a download)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request

from service.features import export
from service.features.time import timeline
from service.rdf import formats
from service.web import caching
from service.web.context import graph
from service.web.downloads import download
from service.web.negotiation import wants_html
from service.web.pages.paging import page_of

blueprint = Blueprint("browse", __name__)
blueprint.after_request(caching.cache)

EXPORT_FORMATS = formats.dump_formats()
PART_TITLES = {export.Part.ASSERTED: "asserted (ontology, facts, statements)",
               export.Part.INFERRED: "inferred (what the OWL 2 RL reasoner added)",
               export.Part.ALL: "all (asserted and inferred)"}


EVENTS_PER_PAGE = 500  # a 5M-triple archive has ~100k dated events: one page of them all took 43 s to render


@blueprint.get("/timeline")
def timeline_page() -> Response:
    """Every dated event in order, EVENTS_PER_PAGE at a time (?page=N, from 1; past the last page: 404); JSON for
    ?format=json or an Accept that prefers it, the same events in the same order."""
    p = page_of(timeline.events(graph()), EVENTS_PER_PAGE)
    if wants_html(default=True):
        response = Response(render_template("timeline.html", p=p, path="/timeline"), mimetype="text/html")
    else:
        response = jsonify(timeline.as_json(p.items, p.number, p.pages, p.total))
    response.vary.add("Accept")
    return response


@blueprint.get("/export")
def export_page() -> Response:
    kg = graph()
    graph_name, format_name = request.args.get("graph"), request.args.get("format")
    if graph_name is None and format_name is None:
        return Response(render_template("export.html", kg=kg, parts=PART_TITLES, formats=EXPORT_FORMATS,
                                        export=export), mimetype="text/html")
    try:
        part = export.Part(graph_name or "all")
    except ValueError:
        abort(400, description="graph must be one of asserted, inferred, all")
    fmt = formats.by_name(format_name or "turtle")
    if fmt not in EXPORT_FORMATS or fmt is None:
        abort(400, description="format must be one of " + ", ".join(f.name for f in EXPORT_FORMATS))
    return download(export.export(kg, part, fmt), fmt, export.filename(kg, part, fmt), attachment=True)
