"""Domain errors. They carry what a user needs to fix the problem; the web layer maps them to HTTP codes."""

from __future__ import annotations

from dataclasses import dataclass, field


class HistkgError(Exception):
    """Base of every error histkg reports to a user instead of a traceback."""


@dataclass
class DataFileError(HistkgError):
    """A data or ontology file that is missing, unreadable or malformed."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass
class InconsistencyError(HistkgError):
    """The OWL RL closure found contradictions (owlrl's error nodes), naming what is involved."""

    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"the data is inconsistent with the ontology ({len(self.problems)} problem(s)):\n{lines}"


class QueryError(HistkgError):
    """A query that cannot be run as written: syntax error, unsupported form, bad parameter."""


class QuerySyntaxError(QueryError):
    """The query does not parse; the message names line and column."""


class QueryRefused(QueryError):
    """The query asks for something a public read-only service never does (SERVICE, LOAD, remote FROM)."""


class UpdateRefused(QueryRefused):
    """A SPARQL Update: the service is read-only."""


class QueryTimeout(HistkgError):
    """The query ran past its time limit and its work was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query ran longer than the time limit of {seconds:g} s and was stopped")
        self.seconds = seconds


class NotFound(HistkgError):
    """Something named by the request does not exist (entity, saved query, graph)."""
