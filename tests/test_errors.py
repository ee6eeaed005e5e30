"""Every domain error lives in service.errors, crosses a process boundary as itself (class and arguments), and has
its HTTP status in service.web.errors.

The classes are found by introspection, and sample constructor arguments are made from each constructor's type
hints: a new error class that does not round-trip, or whose constructor takes something unforeseen, fails here.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pickle
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import service
from service import errors
from service.errors import (
    DataFileError,
    HistkgError,
    OutboundRefused,
    QueryTimeout,
    ServerBusy,
    UnsupportedOntology,
    rebuild,
)
from service.query import executor, guard
from service.query.sparql import Dataset, PreparedQuery
from service.store.graph import KnowledgeGraph
from service.web.errors import STATUS, status_for

# A sample value per annotation a constructor may take; a new kind of argument needs a line here.
SAMPLES: dict[str, Any] = {
    "str": "the sample message, with ünïcode",
    "float": 2.5,
    "int": 7,
    "int | None": 12,
    "list[str]": ["second", "first"],
    "Iterable[str]": ["second", "first"],
}


def _classes() -> list[type[HistkgError]]:
    return [kind for _, kind in inspect.getmembers(errors, inspect.isclass)
            if issubclass(kind, HistkgError) and kind.__module__ == errors.__name__]


def _sample(kind: type[HistkgError]) -> HistkgError:
    """An instance built with every constructor argument given (defaults too), or from a message."""
    init = kind.__init__
    if init is Exception.__init__:
        return kind(SAMPLES["str"])
    hints = {name: str(parameter.annotation) for name, parameter in inspect.signature(init).parameters.items()
             if name != "self"}
    arguments = []
    for name, annotation in hints.items():
        assert annotation in SAMPLES, f"{kind.__name__}({name}: {annotation}): add a sample for it to SAMPLES"
        arguments.append(SAMPLES[annotation])
    return kind(*arguments)


def _assert_same(copy: BaseException, original: HistkgError) -> None:
    assert type(copy) is type(original)
    assert isinstance(copy, HistkgError)
    assert copy.args == original.args
    assert str(copy) == str(original)
    assert copy.arguments() == original.arguments()
    assert vars(copy) == vars(original)


@pytest.mark.stores("memory")
@pytest.mark.parametrize("kind", _classes(), ids=lambda kind: kind.__name__)
def test_every_error_round_trips_with_its_class_and_arguments(kind: type[HistkgError]) -> None:
    original = _sample(kind)
    record = json.loads(json.dumps(original.record()))  # plain data, as JSON carries it
    assert record["error"] == kind.__name__
    _assert_same(rebuild(record), original)
    _assert_same(pickle.loads(pickle.dumps(original, pickle.HIGHEST_PROTOCOL)), original)


@pytest.mark.stores("memory")
def test_the_registry_is_every_class_of_the_module() -> None:
    assert set(errors.ERRORS.values()) == set(_classes())
    assert len(_classes()) >= 13  # the introspection found the classes (not an empty list that passes anything)
    assert {ServerBusy, OutboundRefused, UnsupportedOntology, errors.RemoteError} <= set(_classes())


@pytest.mark.stores("memory")
def test_arguments_given_by_keyword_or_left_to_defaults_round_trip() -> None:
    cases: list[HistkgError] = [
        DataFileError(path="data/x.ttl", message="bad token", column=4),
        DataFileError("data/x.ttl", "missing"),
        errors.InconsistencyError(),
        errors.InconsistencyError(problems=["a in two disjoint classes"]),
        QueryTimeout(seconds=0.25),
        ServerBusy(1.0, workers=3),
        UnsupportedOntology(what=iter(["owl:hasKey", "owl:FunctionalProperty"])),
    ]
    for original in cases:
        _assert_same(rebuild(json.loads(json.dumps(original.record()))), original)
        _assert_same(pickle.loads(pickle.dumps(original)), original)
    assert str(DataFileError(path="data/x.ttl", message="bad token", line=3, column=4)) == "data/x.ttl:3:4: bad token"
    assert DataFileError(path="p", message="m").args == ("p", "m", None, None)
    assert "0.25 s" in str(rebuild(QueryTimeout(0.25).record()))
    assert rebuild(ServerBusy(1.0, 3).record()).workers == 3  # type: ignore[attr-defined]


@pytest.mark.stores("memory")
def test_an_unknown_or_malformed_record_is_an_internal_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="not a histkg error class: 'KeyError'"):
        rebuild({"error": "KeyError", "arguments": ["x"]})
    with pytest.raises(ValueError, match="not a histkg error class: 'rebuild'"):
        rebuild({"error": "rebuild", "arguments": []})  # a name in the module that is no error class
    with pytest.raises(ValueError, match="cannot rebuild QueryTimeout"):
        rebuild({"error": "QueryTimeout", "arguments": [1.0, 2.0, 3.0]})
    reply = pickle.dumps(("error", {"error": "Vanished", "arguments": ["message"]}))
    with pytest.raises(ValueError, match="'Vanished'"):
        executor._unpack(reply, 1)


@pytest.mark.stores("memory")
def test_every_error_class_has_its_http_status() -> None:
    expected = {
        "HistkgError": 500, "DataFileError": 500, "InconsistencyError": 500, "UnsupportedOntology": 500,
        "RemoteError": 502, "QueryError": 400, "QuerySyntaxError": 400, "QueryRefused": 400, "OutboundRefused": 400,
        "UpdateRefused": 403, "QueryTimeout": 503, "ServerBusy": 503, "QueryMemoryExceeded": 503, "NotFound": 404}
    assert {kind.__name__: code for kind, code in STATUS.items()} == expected
    assert set(STATUS) == set(_classes())
    assert {kind.__name__: status_for(_sample(kind)) for kind in _classes()} == expected

    class Elsewhere(errors.UpdateRefused):  # a subclass made outside the module: its nearest ancestor's status
        pass

    assert status_for(Elsewhere("no")) == 403


def _service_modules() -> Iterator[str]:
    for module in pkgutil.walk_packages(service.__path__, "service."):
        yield module.name


@pytest.mark.stores("memory")
def test_no_module_of_the_service_defines_an_error_of_its_own() -> None:
    for name in _service_modules():
        importlib.import_module(name)
    found: list[type[HistkgError]] = []
    pending: list[type[HistkgError]] = [HistkgError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    outside = sorted(f"{k.__module__}.{k.__qualname__}" for k in found
                     if k.__module__.startswith("service.") and k.__module__ != errors.__name__)
    assert outside == []
    assert len(found) >= len(_classes())


# --- through a real query process ---------------------------------------------------------------------------------
def _read_a_foreign_file() -> HistkgError:
    Path("/etc/passwd").read_text()  # the guard, active in every query process, refuses it
    raise AssertionError("the guard let a query process read /etc/passwd")


# What the query process meets, chosen by the query's text. Each raised in the worker by the real code path
# (executor._serve_job) in place of evaluating the query; `guard` is the real outbound guard refusing a read.
RAISED_IN_WORKER: dict[str, Callable[[], HistkgError]] = {
    "guard": _read_a_foreign_file,
    "data-file": lambda: DataFileError("data/people.ttl", "unexpected '.'", 12, 5),
    "busy": lambda: ServerBusy(1.5, 4),
    "unsupported": lambda: UnsupportedOntology(["owl:hasKey"]),
    "timeout": lambda: QueryTimeout(0.75),
}


def _answer_by_raising(kg: KnowledgeGraph, job: executor.Job, *, in_query_process: bool = False) -> executor.Answer:
    if job.query.text.startswith("ASK"):  # the pool's ping when it starts a process
        return executor.Answer("ASK", 0.0, 0)
    raise RAISED_IN_WORKER[job.query.text]()


@pytest.mark.stores("memory", "disk")
def test_errors_raised_in_a_query_process_arrive_as_themselves(kg: KnowledgeGraph,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker is forked after the patch, so it raises these errors where a query's would be raised."""
    guard.install([])
    monkeypatch.setattr(executor, "answer", _answer_by_raising)
    pool = executor.QueryPool(kg, size=1, warm=1, steady=1)
    arrived: dict[str, BaseException] = {}
    pids = set()
    try:
        for text in RAISED_IN_WORKER:
            with pytest.raises(HistkgError) as caught:
                pool.execute(executor.Job(PreparedQuery(text, "SELECT"), Dataset(), None, 5.0))
            arrived[text] = caught.value
            pids.add(pool._idle[0].pid if pool._idle else None)
        kills = pool.kills
    finally:
        pool.close()
    assert kills == 0 and len(pids) == 1 and None not in pids  # one process answered them all, none was killed
    refused = arrived["guard"]
    assert type(refused) is OutboundRefused and "opening a file outside" in str(refused)
    for text in ("data-file", "busy", "unsupported", "timeout"):
        _assert_same(arrived[text], RAISED_IN_WORKER[text]())
    data_file = arrived["data-file"]
    assert isinstance(data_file, DataFileError) and (data_file.line, data_file.column) == (12, 5)

