"""The Flask app: create_app() wires one blueprint per URL area around a loaded KnowledgeGraph."""

from __future__ import annotations

from flask import Flask

from service.config import Settings
from service.features.saved_queries import load_saved_queries
from service.provenance import explain
from service.store.graph import KnowledgeGraph
from service.web import errors, pages, security
from service.web.pages import home
from service.web.response_cache import ResponseCache
from service.web.sparql import endpoint as sparql_endpoint
from service.web.sparql import fast_path as fast_sparql
from service.web.sparql.fast_path import SparqlFastPath


def create_app(kg: KnowledgeGraph | None = None, settings: Settings | None = None) -> Flask:
    """An app serving `kg` (or the graph loaded from `settings`, default: the shipped dataset)."""
    if kg is None:
        kg = KnowledgeGraph.load(settings or Settings.from_env())
    app = Flask(__name__)
    app.config["HISTKG"] = kg
    app.config["HISTKG_SAVED_QUERIES"] = load_saved_queries(kg.settings.queries_dir)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    errors.register(app)
    security.register(app, kg)
    fast_sparql.register(app)
    app.register_blueprint(home.blueprint)
    app.register_blueprint(sparql_endpoint.blueprint)
    pages.register(app)
    # What explanations need of the graph as a whole (its lists' lengths) is read once, at start, not by the first
    # reader of an entity page.
    explain.rule_set(kg)
    # Outermost first: the response cache, then the Flask-free path for plain SPARQL GETs, then the app.
    fast = SparqlFastPath(app.wsgi_app, kg)
    app.wsgi_app = ResponseCache(fast, kg.settings.response_cache_bytes)  # type: ignore[method-assign]
    return app
