"""One page of a long list (?page=N, from 1): the timeline and a class's members on a large archive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort

from service.web.params import page_param


@dataclass
class Page:
    items: Sequence[Any]
    number: int  # from 1
    pages: int
    first: int   # position of items[0] in the whole list, from 1
    total: int


def page_of(items: Sequence[Any], per_page: int) -> Page:
    """The page the request asks for; 400 when ?page is not a whole number from 1, 404 past the last page."""
    pages = max(1, -(-len(items) // per_page))
    number = page_param()
    if number > pages:
        abort(404, description=f"no page {number}: there are {pages} page(s)")
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], number, pages, start + 1, len(items))
