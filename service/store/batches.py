"""Terms written into query text, many at a time: what a store whose lookups are requests asks in one go.

Features that look many terms up together (an entity page's statements, the explanations of its inferred facts) use
these for their own queries, over every kind of store: one query for a page's terms is as fast in the embedded
engine as one per term, and over the network it is the difference between a few requests and hundreds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from service.rdf.serialize import tsv_term

VALUES_CHUNK = 1000  # terms per VALUES block: a whole page's in one request, at most ~100 kB of query text


def values_clause(substitutions: dict[Any, Any] | None) -> str:
    """Pre-bound variables as a trailing VALUES clause (for engines without substitutions)."""
    if not substitutions:
        return ""
    names = " ".join(f"?{getattr(v, 'value', v)}" for v in substitutions)
    values = " ".join(tsv_term(t) for t in substitutions.values())
    return f"\nVALUES ({names}) {{ ({values}) }}\n"


def values_block(variables: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A VALUES block binding `variables` to each row of terms (or integers). Blank nodes cannot be named in a query
    (they would stand for any node): callers leave rows holding them out (see `nameable`)."""
    names = " ".join(f"?{v}" for v in variables)
    body = " ".join("(" + " ".join(str(t) if isinstance(t, int) else tsv_term(t) for t in row) + ")" for row in rows)
    return f"VALUES ({names}) {{ {body} }}"


def nameable(*terms: Any) -> bool:
    """True when every term can be written into a query's text (no blank node, no missing term)."""
    return all(isinstance(t, ox.NamedNode | ox.Literal) for t in terms)


def chunks(items: Sequence[Any], size: int = VALUES_CHUNK) -> Iterator[Sequence[Any]]:
    return (items[i:i + size] for i in range(0, len(items), size))
