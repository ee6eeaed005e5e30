"""The browsing side of the web app: entity pages, ontology, search, timeline, saved queries, exports."""

from __future__ import annotations

from flask import Flask

from service.rdf.namespaces import shorten
from service.web.context import graph
from service.web.pages import browse, entity, maps, network, ontology, reading, reconcile, saved, search


def register(app: Flask) -> None:
    app.jinja_env.filters["shorten"] = shorten
    app.context_processor(lambda: {"histkg_base": graph().settings.base})
    # maps before entity: its /id/<x>.geojson route is more specific than entity's /id/<x>.
    for module in (maps, network, entity, ontology, search, browse, saved, reconcile, reading):
        app.register_blueprint(module.blueprint)
    maps.register_globals(app)
    network.register_globals(app)
