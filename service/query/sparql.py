"""Running untrusted SPARQL: vet the text, pick the dataset, run with limits, hand back rows, a boolean or triples.

The guard works on tokens, so keywords inside strings, IRIs and comments never trip it and it costs microseconds.
It refuses updates (the service is read-only), SERVICE (the engine would open a connection) and FROM / FROM NAMED
naming a graph the service does not hold (we answer from what we hold; we never fetch a graph, and an empty
answer would hide the mistake).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urljoin

import pyoxigraph as ox

from service.errors import QueryError, QueryRefused, QuerySyntaxError, QueryTimeout, UpdateRefused
from service.rdf import serialize
from service.rdf.formats import Format
from service.store.graph import KnowledgeGraph

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
MAX_NESTING = 256  # brackets deep; far beyond real queries, far below what overflows the engine's stack
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<comment>\#[^\n]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
      | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w\-:%]|\\.|\.(?=[\w\-:%]))*)
      | (?P<word>[^\W\d]\w*)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):  # a tuple, not a dataclass: a query has hundreds, made on every request
    kind: str
    text: str


def tokens(text: str) -> Iterator[Token]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group())


@dataclass
class PreparedQuery:
    """A vetted query: its form and the dataset its FROM / FROM NAMED clauses name."""

    text: str
    form: str
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)

    @property
    def is_graph_form(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword. Raises QuerySyntaxError if none."""
    for tok in tokens(text):
        if tok.kind == "word" and tok.text.upper() in QUERY_FORMS:
            return tok.text.upper()
    raise QuerySyntaxError("no query form found: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE "
                           "(after any PREFIX and BASE declarations)")


def prepare(text: str, held_graphs: set[str], max_length: int = 100_000) -> PreparedQuery:
    """Vet `text` or raise: QueryError (too long, no query form), UpdateRefused, QueryRefused."""
    if len(text) > max_length:
        raise QueryError(f"the query is {len(text):,} characters long; the limit is {max_length:,}")
    words = list(tokens(text))
    _check_nesting(words)
    prefixes: dict[str, str] = {}
    base = ""
    form = None
    query = PreparedQuery(text, "")
    for i, tok in enumerate(words):
        if tok.kind != "word":
            continue
        keyword = tok.text.upper()
        following = words[i + 1:i + 4]
        if keyword in UPDATE_KEYWORDS:
            raise UpdateRefused(f"{keyword} is SPARQL Update; this service is read-only and answers queries only")
        if keyword == "SERVICE":
            raise QueryRefused("SERVICE (federated query) is not allowed: this endpoint never contacts other "
                               "servers on a query's behalf")
        if keyword == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            prefixes[following[0].text[:-1]] = urljoin(base, following[1].text[1:-1])
        elif keyword == "BASE" and following and following[0].kind == "iri":
            base = urljoin(base, following[0].text[1:-1])
        elif keyword == "FROM":
            named = bool(following) and following[0].kind == "word" and following[0].text.upper() == "NAMED"
            target = following[1] if named and len(following) > 1 else following[0] if following else None
            graph = _resolve(target, prefixes, base)
            (query.from_named if named else query.from_graphs).append(graph)
        elif keyword in QUERY_FORMS and form is None:
            form = keyword
    if form is None:
        raise QuerySyntaxError("no query form found: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE "
                               "(after any PREFIX and BASE declarations)")
    query.form = form
    unknown = [g for g in query.from_graphs + query.from_named if g not in held_graphs]
    if unknown:
        raise QueryRefused(f"FROM / FROM NAMED may only name graphs this service holds; it never fetches graphs. "
                           f"Unknown: {', '.join('<' + g + '>' for g in unknown)}")
    return query


def _check_nesting(words: list[Token]) -> None:
    depth = deepest = 0
    for tok in words:
        if tok.kind == "other":
            if tok.text in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif tok.text in "})]":
                depth -= 1
    if deepest > MAX_NESTING:
        raise QueryError(f"the query is nested {deepest} brackets deep; the limit is {MAX_NESTING}")


def _resolve(token: Token | None, prefixes: dict[str, str], base: str) -> str:
    if token is None:
        raise QuerySyntaxError("FROM must be followed by a graph IRI")
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
        raise QuerySyntaxError(f"undeclared prefix {prefix!r} in FROM {token.text}")
    raise QuerySyntaxError(f"FROM must be followed by a graph IRI, not {token.text!r}")


# --- execution ----------------------------------------------------------------------------------------------------
@dataclass
class Dataset:
    """Which graphs a query sees: from the protocol's default-graph-uri / named-graph-uri, else the query's FROM,
    else the service's default (the union of all graphs; without the inferred graph when infer is off).

    A protocol graph the service does not hold is an empty graph: it is never fetched (SPARQL 1.1 Protocol, as the
    W3C tests expect: `default-graph-uri=<unknown>` with `ASK {}` answers true). The web layer says which were unknown.
    """

    infer: bool = True
    default_graph_uris: list[str] = field(default_factory=list)
    named_graph_uris: list[str] = field(default_factory=list)


@dataclass
class QueryResult:
    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated_at: int | None = None  # the limit, when the result was cut there
    seconds: float = 0.0

    @property
    def size(self) -> int:
        return len(self.triples) if self.form in ("CONSTRUCT", "DESCRIBE") else len(self.rows)


def run(kg: KnowledgeGraph, query: PreparedQuery, dataset: Dataset | None = None, *, limit: int | None = None,
        timeout: float | None = None, substitutions: dict[str, Any] | None = None,
        base_iri: str | None = None) -> QueryResult:
    """Run a prepared query. `limit` caps rows/triples (None: no cap); `timeout` in seconds (None: settings);
    `base_iri` resolves relative IRIs when the query has no BASE (the endpoint's URL, for the SPARQL protocol)."""
    dataset = dataset or Dataset()
    timeout = min(timeout, kg.settings.query_timeout) if timeout else kg.settings.query_timeout
    started = time.perf_counter()
    deadline = started + timeout
    with _engine_errors():
        raw = _evaluate(kg, query, dataset, substitutions, base_iri, timeout)
        result = _collect(query.form, raw, limit, deadline, timeout)
    result.seconds = time.perf_counter() - started
    return result


# The engine's own writers, and the fewest bytes one solution takes in each ("{}," in JSON, an empty result
# element in XML): an answer shorter than limit x that has at most `limit` rows, with no need to count them.
_ENGINE_WRITERS = {"json": (ox.QueryResultsFormat.JSON, 3), "xml": (ox.QueryResultsFormat.XML, 17)}
# Past limit x this many bytes the engine stops writing and the answer is read row by row instead: it bounds the
# memory an answer may take before its rows are counted.
_WIDEST_ROW_BYTES = 2048


class _OverBudget(Exception):
    pass


class _BudgetedOutput:
    """A binary sink that refuses to grow past a number of bytes (the engine writes into it in chunks)."""

    def __init__(self, budget: int | None) -> None:
        self.budget = budget
        self.chunks: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.budget is not None and self.size > self.budget:
            raise _OverBudget
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def write_by_engine(kg: KnowledgeGraph, query: PreparedQuery, dataset: Dataset, fmt: Format, *,
                    limit: int | None, base_iri: str | None = None) -> bytes | None:
    """A SELECT answer written by the engine itself, in one call: 2-4x less CPU than reading it row by row in Python
    (bench/results.md). Only when the answer is within the row cap (`limit`): a short answer is within it by its
    size alone, a longer one's rows are counted. Otherwise, or for a form or format the engine does not write for
    us, None: the caller runs the query row by row and cuts it at the cap (the query runs twice only then).

    There is no cooperative deadline here: use it where the process itself is the time limit (a query process)."""
    writer = _ENGINE_WRITERS.get(fmt.name)
    if writer is None or query.form != "SELECT" or not kg.store.capabilities.writes_answers:
        return None
    results_format, fewest_bytes = writer
    output = _BudgetedOutput(None if limit is None else limit * _WIDEST_ROW_BYTES)
    with _engine_errors():
        raw = _evaluate(kg, query, dataset, None, base_iri, None)
        try:
            raw.serialize(output, format=results_format)
        except _OverBudget:
            return None
    body = b"".join(output.chunks)
    if limit is not None and len(body) >= limit * fewest_bytes and _rows(body, results_format) > limit:
        return None
    return body


def _rows(body: bytes, results_format: ox.QueryResultsFormat) -> int:
    """Solutions in an answer the engine wrote, counted by the engine's own parser."""
    parsed = ox.parse_query_results(body, format=results_format)
    assert isinstance(parsed, ox.QuerySolutions)  # it wrote a SELECT answer
    return sum(1 for _ in parsed)


def _evaluate(kg: KnowledgeGraph, query: PreparedQuery, dataset: Dataset, substitutions: dict[str, Any] | None,
              base_iri: str | None, timeout: float | None) -> Any:
    return kg.query(query.text, infer=dataset.infer, **_graph_arguments(kg, query, dataset),
                    substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()} or None,
                    base_iri=base_iri, timeout=timeout)


@contextmanager
def _engine_errors() -> Iterator[None]:
    """The engine's exceptions as the service's: a syntax error, or an evaluation that failed."""
    try:
        yield
    except SyntaxError as error:
        raise QuerySyntaxError(f"syntax error: {error.msg or error}") from None
    except RecursionError:
        raise QueryError("the query is nested too deeply to evaluate") from None
    except OSError as error:  # the engine reports evaluation failures (and refused I/O) as OSError
        raise QueryError(f"the query could not be evaluated: {error}") from None


_EMPTY = ox.Store()


def check_syntax(query: PreparedQuery, base_iri: str | None = None) -> None:
    """QuerySyntaxError (with line and column) as the embedded engine reports it, for a query a remote server will
    run: its own messages vary by product. The engine parses and plans over an empty dataset; a pathological query
    can take minutes even so (a 1,000-step path: 274 s), so the service runs this in a query process under the
    time limit (service.query.executor)."""
    with _engine_errors():
        _EMPTY.query(query.text, base_iri=base_iri)


def _graph_arguments(kg: KnowledgeGraph, query: PreparedQuery, dataset: Dataset) -> dict[str, Any]:
    if dataset.default_graph_uris or dataset.named_graph_uris:
        return {"default_graph": dataset.default_graph_uris, "named_graphs": dataset.named_graph_uris}
    if query.from_graphs or query.from_named:
        return {"default_graph": query.from_graphs, "named_graphs": query.from_named}
    return {}


def _collect(form: str, raw: Any, limit: int | None, deadline: float, timeout: float) -> QueryResult:
    result = QueryResult(form)
    if form == "ASK":
        result.boolean = bool(raw)
        return result
    if form == "SELECT":
        result.variables = [v.value for v in raw.variables]
        sink: list[Any] = result.rows
    else:
        sink = result.triples
    positions = range(len(result.variables))  # by position: 4-5x faster than by name in pyoxigraph
    for item in raw:
        if time.perf_counter() > deadline:
            raise QueryTimeout(timeout)
        if limit is not None and len(sink) >= limit:
            result.truncated_at = limit
            break
        sink.append([item[i] for i in positions] if form == "SELECT" else item)
    return result


def write_result(result: QueryResult, fmt: Format) -> bytes:
    """The result in `fmt` (a results format for SELECT/ASK, an RDF format for CONSTRUCT/DESCRIBE); a capped SELECT
    says so in the formats that can."""
    if result.form == "ASK":
        return serialize.boolean(bool(result.boolean), fmt)
    if result.form == "SELECT":
        return serialize.results(result.variables, result.rows, fmt, result.truncated_at)
    return serialize.rdf(result.triples, fmt)
