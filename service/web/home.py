"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from service.web.context import graph, saved_queries

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> str:
    kg = graph()
    counts = {name.rsplit("/", 1)[-1]: kg.graph_size(name) for name in kg.graph_names()}
    return render_template("home.html", kg=kg, counts=counts, saved=saved_queries())


@blueprint.get("/healthz")
def healthz() -> Response:
    kg = graph()
    return jsonify({"status": "ok", "dataset_version": kg.version, "quads": len(kg.store),
                    "closure_from_cache": kg.report.closure_from_cache})
