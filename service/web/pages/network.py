"""/network: the whole dataset's network of people, units, aircraft, places and events (?type= filters, repeatable),
or one entity's neighbourhood within two links (?focus=IRI), as a server-laid-out SVG with a node list."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, request
from werkzeug.exceptions import BadRequest

from service.features import network
from service.web import caching
from service.web.context import graph
from service.web.errors import error_response

blueprint = Blueprint("network", __name__)
blueprint.after_request(caching.cache)


@blueprint.get("/network")
def network_page() -> Response:
    kg = graph()
    focus = request.args.get("focus")
    types = request.args.getlist("type")
    unknown = [t for t in types if t not in network.KIND_TITLES]
    if unknown:
        raise BadRequest("type must be among " + ", ".join(network.KIND_TITLES) + f"; got {unknown[0][:40]!r}")
    if focus:
        net = network.neighbourhood(kg, focus)
        if net is None:
            return error_response(404, "Not Found", f"<{focus[:200]}> is not a person, unit, aircraft, place or "
                                  "event of the dataset: no network")
        title = f"Network of {net.nodes[focus].label}"
    else:
        net = network.whole(kg, set(types) or None)
        title = "Network of the dataset"
    body = render_template("network.html", net=net, title=title, focus=focus, types=types,
                           kinds=network.KIND_TITLES, path="/network")
    return Response(body, mimetype="text/html")


def network_href(iri: str) -> str | None:
    """For entity.html: the entity's network page, when it is of a kind the network draws."""
    from urllib.parse import quote
    return f"/network?focus={quote(iri, safe='')}" if network.kind_of(graph(), iri) else None


def register_globals(app: Flask) -> None:
    app.jinja_env.globals["network_href"] = network_href
