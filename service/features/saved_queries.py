"""Saved queries: `queries/*.rq`, each with a `#+ key: value` header (title, description, param lines).

A parameter line reads `#+ param: name | type | default | description`, type one of iri, string, date, integer.
Its value reaches the query as a pre-bound variable `?name` (the engine's substitution, not text splicing), so a
parameter can never change the query's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.errors import DataFileError, NotFound, QueryError
from service.rdf.namespaces import XSD, expand

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
PARAM_TYPES = ("iri", "string", "date", "integer")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@dataclass
class Parameter:
    name: str
    type: str
    default: str
    description: str


@dataclass
class SavedQuery:
    name: str
    title: str
    description: str
    text: str
    parameters: list[Parameter] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)

    def bind(self, values: dict[str, str]) -> dict[str, Any]:
        """Engine substitutions for the given values (defaults where missing). Raises QueryError on bad input."""
        bound: dict[str, Any] = {}
        for param in self.parameters:
            raw = values.get(param.name)
            raw = raw.strip() if raw is not None and raw.strip() else param.default
            if raw:
                bound[param.name] = term_for(param, raw)
        return bound


def term_for(param: Parameter, raw: str) -> Any:
    if param.type == "iri":
        return ox.NamedNode(expand_iri(raw, param.name))
    if param.type == "date":
        if not re.fullmatch(r"-?\d{4,}-\d{2}-\d{2}", raw):
            raise QueryError(f"parameter {param.name}: {raw!r} is not a date (YYYY-MM-DD)")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", raw):
            raise QueryError(f"parameter {param.name}: {raw!r} is not an integer")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(raw)


def expand_iri(raw: str, what: str = "value") -> str:
    """A full IRI, or a prefixed name with a known prefix, made a full IRI. Anything else is a QueryError."""
    raw = raw.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    raw = expand(raw)
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw) or _IRI_FORBIDDEN.search(raw) or len(raw) > 2000:
        raise QueryError(f"{what}: {raw[:200]!r} is not an absolute IRI or a known prefixed name")
    return raw


def parse_saved_query(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    parameters: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        key, colon, value = line[2:].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon:
            raise DataFileError(str(path), "a header line reads '#+ key: value'", number)
        if key == "param":
            parameters.append(_parameter(value, path, number))
        else:
            header[key] = value
    return SavedQuery(path.stem, header.get("title", path.stem), header.get("description", ""), text,
                      parameters, header)


def _parameter(value: str, path: Path, line: int) -> Parameter:
    parts = [p.strip() for p in value.split("|")]
    if len(parts) < 2 or not NAME.match(parts[0]) or parts[1] not in PARAM_TYPES:
        raise DataFileError(str(path), "a parameter reads '#+ param: name | iri|string|date|integer | default "
                            "| description'", line)
    parts += [""] * (4 - len(parts))
    return Parameter(parts[0], parts[1], parts[2], parts[3])


def load_saved_queries(folder: Path) -> dict[str, SavedQuery]:
    if not folder.is_dir():
        return {}
    saved = {}
    for path in sorted(folder.glob("*.rq")):
        if NAME.match(path.stem):
            saved[path.stem] = parse_saved_query(path)
    return saved


def get(saved: dict[str, SavedQuery], name: str) -> SavedQuery:
    """Look a saved query up by name only: names never become paths, so no traversal is possible."""
    if name not in saved:
        raise NotFound(f"no saved query named {name[:100]!r}")
    return saved[name]
