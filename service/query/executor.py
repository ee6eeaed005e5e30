"""Running untrusted queries where their work can really be stopped: a pool of pre-forked query processes.

Why processes. pyoxigraph evaluates a query in Rust and releases the GIL; no Python signal or thread can interrupt
it, and a cartesian product or a 1,000-step property path keeps a core busy for minutes. A deep query can also
overflow the Rust stack and kill the whole process. So each query runs in a worker process:

- workers are forked after the graph is loaded and share it copy-on-write (no copy, no reload);
- the parent sends the job over a socketpair and waits up to the time limit; on expiry it SIGKILLs the worker
  (the CPU is free at once), answers 503, and forks a replacement in the background;
- the worker serialises the answer itself (the negotiated format), so the parent gets bytes and a little metadata;
- a worker that crashes (stack overflow) costs one 400, never the server;
- a worker may take Settings.query_memory_mb beyond the graph it shares (RLIMIT_DATA, service.query.worker); a
  query that needs more ends its process (the engine aborts on the failed allocation) and is answered with
  QueryMemoryExceeded (503); the process is replaced. The pool has at most pool_size() workers, so that all the
  server's query processes together stay within Settings.query_memory_budget_mb;
- a worker cannot create a file descriptor: after the fork it keeps only stdin/stdout/stderr and its socket and
  lowers RLIMIT_NOFILE to 4, so the engine cannot open a file or a socket whatever a query says (pyoxigraph does
  connect for SERVICE; service.query.sparql refuses that first, this is the second wall).

Measured on the shipped graph (bench/pool_overhead.py, bench/results.md, 2 CPUs): a 20-row SELECT written as
JSON takes 0.37 ms in-process, 0.39 ms through the pool and 9.9 ms with a fork per query (the fork copies page
tables and grows with the heap), so the pool wins; a 1 s limit answers 503 after 1.1 s with the CPU freed.

The pool belongs to the process that made it: a forked child (a gunicorn worker, a query worker) starts its own.
`Settings.query_workers == 0` runs queries in-process (cooperative deadline only), for the CLI.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import pyoxigraph as ox

from service.config import Settings
from service.errors import HistkgError, QueryError, QueryMemoryExceeded, QueryTimeout, ServerBusy, rebuild
from service.query import sandbox
from service.query.sparql import Dataset, PreparedQuery, QueryResult, check_syntax, run, write_by_engine, write_result
from service.query.worker import Worker, spawn
from service.rdf import formats, serialize
from service.store.graph import KnowledgeGraph

log = logging.getLogger(__name__)

PING_SECONDS = 2.0  # a fresh worker must answer a tiny query within this
# Quick queries share a few processes: more runnable processes than cores only adds switching (measured on 2 cores:
# 4 busy query processes per server process answered 0.65x the requests 1 did, bench/results.md). A request that
# has waited this long for one of those takes another process, so a slow query never holds up the quick ones.
PATIENCE = 0.02
GRACE = 0.1  # seconds the parent waits past the limit for the worker's own (cooperative) timeout report


@dataclass
class Job:
    query: PreparedQuery
    dataset: Dataset
    limit: int | None
    timeout: float
    substitutions: dict[str, Any] | None = None
    base_iri: str | None = None
    format_name: str | None = None  # serialise to this format in the worker; None: hand back the QueryResult
    check_only: bool = False  # only parse it (for a remote store: the query runs there, see execute())


@dataclass
class Answer:
    form: str
    seconds: float
    size: int | None  # rows or triples; None when the engine wrote the answer without counting
    truncated_at: int | None = None
    body: bytes | None = None          # the serialised result, when a format was asked for
    result: QueryResult | None = None  # the result itself, otherwise
    worker_pid: int | None = field(default=None, compare=False)


def effective_timeout(kg: KnowledgeGraph, requested: float | None) -> float:
    """The request's limit: what it asked for, never more than the service's."""
    limit = kg.settings.query_timeout
    return min(requested, limit) if requested is not None and requested > 0 else limit


def execute(kg: KnowledgeGraph, query: PreparedQuery, dataset: Dataset | None = None, *, limit: int | None = None,
            timeout: float | None = None, substitutions: dict[str, Any] | None = None,
            base_iri: str | None = None, fmt: formats.Format | None = None) -> Answer:
    """Run a vetted query under its time limit; serialised to `fmt` when given. Raises QueryError, QueryTimeout."""
    job = Job(query, dataset or Dataset(), limit, effective_timeout(kg, timeout), substitutions, base_iri,
              fmt.name if fmt else None)
    if kg.settings.query_workers <= 0:
        return answer(kg, job)  # in-process (the CLI): the deadline is checked between rows only
    if kg.store.capabilities.answers_in_query_process:
        return pool_for(kg).execute(job)
    # A remote store: parsed in a query process under the limit (the local parse can be slow on hostile input and
    # a process cannot reach the server anyway), then sent from here; its HTTP timeout is the rest of the limit.
    started = time.monotonic()
    pool_for(kg).execute(replace(job, check_only=True, format_name=None))
    remaining = max(0.05, job.timeout - (time.monotonic() - started))
    try:
        return answer(kg, replace(job, timeout=remaining))
    except QueryTimeout:
        raise QueryTimeout(job.timeout) from None  # named by the request's limit, not by what was left of it


def answer(kg: KnowledgeGraph, job: Job, *, in_query_process: bool = False) -> Answer:
    """What a worker does with a job (also the in-process path)."""
    if job.check_only:
        check_syntax(job.query, job.base_iri)
        return Answer(job.query.form, 0.0, 0)
    fmt = formats.by_name(job.format_name) if job.format_name else None
    if fmt is not None and in_query_process and job.substitutions is None:
        # The process is the time limit (SIGKILL), so the engine may write the answer in one uninterruptible call.
        started = time.perf_counter()
        body = write_by_engine(kg, job.query, job.dataset, fmt, limit=job.limit, base_iri=job.base_iri)
        if body is not None:
            return Answer(job.query.form, time.perf_counter() - started, None, body=body)
    result = run(kg, job.query, job.dataset, limit=job.limit, timeout=job.timeout, substitutions=job.substitutions,
                 base_iri=job.base_iri)
    done = Answer(result.form, result.seconds, result.size, result.truncated_at)
    if job.format_name is None:
        done.result = result
        return done
    if fmt is None:
        raise QueryError(f"unknown format {job.format_name!r}")
    done.body = write_result(result, fmt)
    return done


# --- the pool -----------------------------------------------------------------------------------------------------
class QueryPool:
    """Up to `size` worker processes; `warm` of them forked at once, the rest on demand. At most `steady` run at
    once, unless a request has waited PATIENCE for one of them."""

    def __init__(self, kg: KnowledgeGraph, size: int, warm: int = 2, steady: int | None = None) -> None:
        self.kg = kg
        self.size = max(1, size)
        self.steady = max(1, steady if steady is not None else _steady_default())
        self.pid = os.getpid()
        self.memory_mb = kg.settings.query_memory_mb
        self._idle: list[Worker] = []
        self._count = 0
        self._busy = 0
        self._closed = False
        self._cond = threading.Condition()
        self.kills = 0  # at the time limit
        self.memory_kills = 0  # at the memory limit
        if kg.snapshot_path is not None and sandbox.abi_version() < 4:
            log.warning("this kernel has no Landlock (ABI >= 4): query processes over the on-disk store may open "
                        "files and sockets; only the query guard keeps SERVICE out. Use --storage memory to keep "
                        "them unable to open anything")
        _warm_imports()
        for _ in range(min(warm, self.size)):
            self._count += 1
            self._release(self._new_worker())

    def execute(self, job: Job) -> Answer:
        deadline = time.monotonic() + job.timeout
        worker = self._acquire(deadline, job.timeout)
        try:
            reply = worker.call(pickle.dumps(job, pickle.HIGHEST_PROTOCOL), deadline + GRACE)
        except TimeoutError:
            self._discard(worker, replace=True)
            self.kills += 1
            raise QueryTimeout(job.timeout) from None
        except EOFError:  # the worker died: out of memory, or the engine crashed (a Rust stack overflow, say)
            ended = self._discard(worker, replace=True)
            if ended == signal.SIGABRT and self.memory_mb:  # an allocation failed at the limit: Rust aborts
                self.memory_kills += 1
                raise QueryMemoryExceeded(self.memory_mb) from None
            raise QueryError("the query engine failed on this query (it may be nested too deeply or too "
                             "large); simplify it") from None
        except BaseException:
            self._discard(worker, replace=True)
            raise
        try:
            done = _unpack(reply, worker.pid)
        except QueryMemoryExceeded:  # Python's MemoryError: the process may be left in a poor state, replace it
            self.memory_kills += 1
            self._discard(worker, replace=True)
            raise
        except BaseException:
            self._release(worker, was_busy=True)
            raise
        self._release(worker, was_busy=True)
        return done

    def close(self) -> None:
        with self._cond:
            self._closed = True  # a worker forked or freed later is killed, not kept
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.kill()

    # --- bookkeeping ---
    def _acquire(self, deadline: float, timeout: float) -> Worker:
        impatient_at = time.monotonic() + PATIENCE
        with self._cond:
            while True:
                now = time.monotonic()
                if self._busy < self.steady or now >= impatient_at:
                    if self._idle:
                        self._busy += 1
                        return self._idle.pop()
                    if self._count < self.size:
                        self._count += 1
                        self._busy += 1
                        break
                if now >= deadline:
                    raise ServerBusy(timeout, self.size)
                self._cond.wait((impatient_at if now < impatient_at else deadline) - now)
        try:
            return self._new_worker()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._busy -= 1
                self._cond.notify_all()
            raise

    def _new_worker(self) -> Worker:
        """Fork a worker and check it answers a tiny query: a fork taken while another thread held a lock in the
        engine could leave the child stuck; such a child is killed and forked again."""
        # Over a remote store the process only parses (it cannot reach the server): the ping does the same.
        ping = pickle.dumps(Job(PreparedQuery("ASK { ?s ?p ?o }", "ASK"), Dataset(), None, PING_SECONDS,
                                check_only=not self.kg.store.capabilities.answers_in_query_process))
        for _ in range(3):
            worker = spawn(lambda payload: _serve_job(self.kg, payload), self.kg.snapshot_path, self.memory_mb << 20)
            try:
                worker.call(ping, time.monotonic() + PING_SECONDS)
                return worker
            except (TimeoutError, EOFError):
                worker.kill()
        raise QueryError("the query processes could not be started; try again")

    def _release(self, worker: Worker, was_busy: bool = False) -> None:
        with self._cond:
            closed = self._closed
            if not closed:
                self._idle.append(worker)
            if was_busy:
                self._busy -= 1
            self._cond.notify_all()
        if closed:
            worker.kill()

    def _discard(self, worker: Worker, replace: bool) -> int | None:
        """Kill and forget a busy worker; returns the signal that ended it (Worker.kill)."""
        ended = worker.kill()
        with self._cond:
            self._count -= 1
            self._busy -= 1
            self._cond.notify_all()
        if replace and os.getpid() == self.pid:
            threading.Thread(target=self._replenish, name="histkg-query-worker-fork", daemon=True).start()
        return ended

    def _replenish(self) -> None:
        with self._cond:
            if self._count >= self.size or len(self._idle) >= 2:
                return
            self._count += 1
        try:
            worker = self._new_worker()
        except Exception:
            with self._cond:
                self._count -= 1
            return
        self._release(worker)


def _serve_job(kg: KnowledgeGraph, payload: bytes) -> bytes:
    """In the worker: a pickled Job in, a pickled ("ok", Answer) or ("error", ErrorRecord) out: the error's class
    and constructor arguments (service.errors), so the parent raises the very error the worker met."""
    job: Job = pickle.loads(payload)
    try:
        reply: tuple[Any, ...] = ("ok", answer(kg, job, in_query_process=True))
    except HistkgError as error:
        reply = ("error", error.record())
    except RecursionError:
        reply = ("error", QueryError("the query is nested too deeply to evaluate").record())
    except MemoryError:  # Python's side of the memory limit (the engine's side ends the process)
        reply = ("error", QueryMemoryExceeded(kg.settings.query_memory_mb).record())
    except Exception as error:  # never the worker's death: report it
        reply = ("error", QueryError(f"the query could not be evaluated: {error}").record())
    return pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)


def _unpack(reply: bytes, pid: int) -> Answer:
    message = pickle.loads(reply)
    if message[0] == "ok":
        done: Answer = message[1]
        done.worker_pid = pid
        return done
    raise rebuild(message[1])  # a record naming no error class of service.errors: ValueError (a bug, a 500)


def pool_size(settings: Settings) -> int:
    """Query processes per serving process: Settings.query_workers, fewer when the memory budget shared by all
    serving processes cannot give each of them its limit (Settings checks that one per serving process fits)."""
    if settings.query_memory_mb <= 0:
        return settings.query_workers
    fits = settings.query_memory_budget_mb // (settings.query_memory_mb * max(1, settings.serving_processes))
    return max(1, min(settings.query_workers, fits))


def _steady_default() -> int:
    """Query processes a server process keeps running at once: half the CPUs it may use (the default two server
    processes then fill every core), at least one."""
    return max(1, len(os.sched_getaffinity(0)) // 2)


def _warm_imports() -> None:
    """Import what serialising needs (rdflib plugins load lazily) before forking: workers cannot open files."""
    term = ox.NamedNode("urn:x:warm")
    triple = ox.Triple(term, term, term)
    for fmt in formats.FORMATS:
        try:
            if fmt.kind is formats.Kind.RESULTS:
                serialize.results(["x"], [[term]], fmt, 1)
                serialize.boolean(True, fmt)
            else:
                serialize.rdf([triple], fmt)
        except (ValueError, KeyError):
            continue


# --- one pool per process and graph -------------------------------------------------------------------------------
_pools: dict[int, QueryPool] = {}
_pools_lock = threading.Lock()


def pool_for(kg: KnowledgeGraph) -> QueryPool:
    with _pools_lock:
        pool = _pools.get(id(kg))
        if pool is None or pool.pid != os.getpid() or pool.kg is not kg:
            pool = QueryPool(kg, pool_size(kg.settings))
            _pools[id(kg)] = pool
        return pool


def status(kg: KnowledgeGraph) -> dict[str, Any]:
    """For /healthz: how queries run in this process, and whether a query process is ready."""
    if kg.settings.query_workers <= 0:
        return {"mode": "in-process", "ready": True}
    with _pools_lock:
        pool = _pools.get(id(kg))
    if pool is None or pool.pid != os.getpid():
        return {"mode": "worker processes", "ready": True, "started": 0, "limit": pool_size(kg.settings),
                "memory_limit_mb": kg.settings.query_memory_mb}
    with pool._cond:
        idle, started = len(pool._idle), pool._count
    return {"mode": "worker processes", "ready": idle > 0 or started < pool.size, "idle": idle, "started": started,
            "limit": pool.size, "killed_at_time_limit": pool.kills, "memory_limit_mb": pool.memory_mb,
            "stopped_at_memory_limit": pool.memory_kills}


def start(kg: KnowledgeGraph) -> None:
    """Fork the first workers now (e.g. in a gunicorn worker before its threads start)."""
    if kg.settings.query_workers > 0:
        pool_for(kg)


def shutdown() -> None:
    with _pools_lock:
        pools = [p for p in _pools.values() if p.pid == os.getpid()]
        _pools.clear()
    for pool in pools:
        pool.close()


def close_pool(kg: KnowledgeGraph) -> None:
    """Stop the workers serving `kg` in this process (an app that is thrown away, in tests)."""
    with _pools_lock:
        pool = _pools.pop(id(kg), None)
    if pool is not None and pool.pid == os.getpid():
        pool.close()


def _forget_after_fork() -> None:
    global _pools_lock
    _pools.clear()  # the parent's workers are not ours to use (nor to kill)
    _pools_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(shutdown)
