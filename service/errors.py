"""Domain errors, all of them here. They carry what a user needs to fix the problem; the web layer maps them to HTTP
codes (service.web.errors), one status per class.

An error crosses a process boundary (a query process answering its parent) as a record: the class's name, looked
up in `ERRORS` (the classes of this module, and only those), and the arguments its constructor takes
(`HistkgError.arguments`). `rebuild` makes an equal error from it: same class, same arguments, same message. The
record is plain data (JSON-able), and pickling an error goes through it too, so there is one way across. A new
class whose constructor takes something other than its message or its dataclass fields overrides `arguments`;
tests/test_errors.py round-trips every class found here.

This module is a leaf: it imports nothing from the service.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict


class ErrorRecord(TypedDict):
    """An error as plain data: `error` names a class of this module, `arguments` are its constructor's."""

    error: str
    arguments: list[Any]


class HistkgError(Exception):
    """Base of every error histkg reports to a user instead of a traceback."""

    def arguments(self) -> tuple[Any, ...]:
        """What the constructor takes to make an equal error: the fields of a dataclass error, else `args` (the
        message). A class with its own __init__ overrides this."""
        if dataclasses.is_dataclass(self):
            return tuple(getattr(self, f.name) for f in dataclasses.fields(self))
        return tuple(self.args)

    def record(self) -> ErrorRecord:
        return {"error": type(self).__name__, "arguments": list(self.arguments())}

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle takes the same way as the record (the default would call cls(*self.args): wrong for QueryTimeout,
        # whose args hold the message, and for a dataclass error built with keywords, whose args are empty).
        return rebuild, (self.record(),)

    def __post_init__(self) -> None:
        # Dataclass errors (the generated __init__ calls this): args are the fields however they were passed, so
        # an error and its rebuilt copy compare equal in args too.
        self.args = self.arguments()


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


class UnsupportedOntology(HistkgError):
    """The ontology uses OWL the fast materialiser does not implement; owlrl handles it."""

    def __init__(self, what: Iterable[str]) -> None:
        self.what = sorted(what)
        super().__init__("the fast OWL RL materialiser does not support: " + ", ".join(self.what))

    def arguments(self) -> tuple[Any, ...]:
        return (self.what,)


class QueryError(HistkgError):
    """A query that cannot be run as written: syntax error, unsupported form, bad parameter."""


class QuerySyntaxError(QueryError):
    """The query does not parse; the message names line and column."""


class QueryRefused(QueryError):
    """The query asks for something a public read-only service never does (SERVICE, LOAD, remote FROM)."""


class UpdateRefused(QueryRefused):
    """A SPARQL Update: the service is read-only."""


class OutboundRefused(QueryRefused):
    """Request handling tried to reach the network or a file outside the service's own folders (service.query.guard)."""


class QueryTimeout(HistkgError):
    """The query ran past its time limit and its work was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query ran longer than the time limit of {seconds:g} s and was stopped")
        self.seconds = seconds

    def arguments(self) -> tuple[Any, ...]:
        return (self.seconds,)


class ServerBusy(QueryTimeout):
    """Every query process stayed busy until the request's time limit (service.query.executor)."""

    def __init__(self, seconds: float, workers: int) -> None:
        super().__init__(seconds)
        self.workers = workers
        self.args = (f"the server is busy: all {workers} query workers stayed in use for the whole time limit "
                     f"of {seconds:g} s; try again shortly",)

    def arguments(self) -> tuple[Any, ...]:
        return (self.seconds, self.workers)


class QueryMemoryExceeded(HistkgError):
    """The query needed more memory than a query process may take (Settings.query_memory_mb) and was stopped: its
    process was replaced (service.query.executor)."""

    def __init__(self, megabytes: int) -> None:
        super().__init__(f"the query needed more than the memory limit of {megabytes} MB per query and was "
                         "stopped; narrow it (sorting, DISTINCT, GROUP BY or GROUP_CONCAT over many rows, or a "
                         "cross product of patterns, take memory)")
        self.megabytes = megabytes

    def arguments(self) -> tuple[Any, ...]:
        return (self.megabytes,)


class RemoteError(HistkgError):
    """The remote SPARQL server could not be reached or refused a request (service.store.remote)."""


class NotFound(HistkgError):
    """Something named by the request does not exist (entity, saved query, graph)."""


ERRORS: dict[str, type[HistkgError]] = {
    kind.__name__: kind for kind in list(globals().values())
    if isinstance(kind, type) and issubclass(kind, HistkgError) and kind.__module__ == __name__}


def rebuild(record: ErrorRecord) -> HistkgError:
    """The error a record describes, equal to the one it was made from. A name that is not a class of this module
    or arguments its constructor refuses are a bug on the sending side: ValueError, never a guess."""
    kind = ERRORS.get(record["error"])
    if kind is None:
        raise ValueError(f"not a histkg error class: {record['error']!r} (known: {', '.join(sorted(ERRORS))})")
    try:
        return kind(*record["arguments"])
    except TypeError as error:
        raise ValueError(f"cannot rebuild {kind.__name__} from {record['arguments']!r}: {error}") from None
