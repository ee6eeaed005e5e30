"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from service.features import overview
from service.features.time import timeline
from service.query import executor
from service.web import caching
from service.web.context import graph, saved_queries

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> Response:
    kg = graph()
    body = render_template("home.html", kg=kg, o=overview.overview(kg), saved=saved_queries(),
                           events=timeline.events(kg))
    return caching.cache(Response(body, mimetype="text/html"))


@blueprint.get("/healthz")
def healthz() -> Response:
    kg = graph()
    queries = executor.status(kg)
    response = jsonify({"status": "ok" if queries["ready"] else "busy", "dataset_version": kg.version,
                        "quads": kg.quad_count, "closure_from_cache": kg.report.closure_from_cache,
                        "queries": queries})
    response.headers["Cache-Control"] = "no-store"  # a health check must reach the process, never a cache
    return response
