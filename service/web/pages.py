"""The browsing side of the web app: entity pages, ontology, search, timeline, saved queries, exports."""

from __future__ import annotations

from flask import Flask

from service.namespaces import shorten
from service.web import browse, entity, ontology, saved, search
from service.web.context import graph


def register(app: Flask) -> None:
    app.jinja_env.filters["shorten"] = shorten
    app.context_processor(lambda: {"histkg_base": graph().settings.base})
    for module in (entity, ontology, search, browse, saved):
        app.register_blueprint(module.blueprint)
