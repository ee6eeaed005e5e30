"""What a request handler needs from the app: the graph and the saved queries, typed."""

from __future__ import annotations

from typing import cast

from flask import current_app

from service.features.saved_queries import SavedQuery
from service.store.graph import KnowledgeGraph


def graph() -> KnowledgeGraph:
    return cast(KnowledgeGraph, current_app.config["HISTKG"])


def saved_queries() -> dict[str, SavedQuery]:
    return cast(dict[str, SavedQuery], current_app.config["HISTKG_SAVED_QUERIES"])
