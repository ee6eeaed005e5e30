"""A process-level guard: while a request is handled, no code path may open a connection or a file elsewhere.

`install()` adds a `sys.addaudithook` hook once per process. It does nothing unless the current context is inside
`guarded()` (the web layer enters it for each request, a query worker for each query); then it raises
`OutboundRefused` on

- `socket.connect` / `socket.getaddrinfo` / `socket.gethostbyname` / `urllib.Request` (any network access), and
- `open` of a path outside the allowed folders (the repo's data, ontology, queries, the package with its
  templates and static files, the closure cache) or of any path opened for writing.

The flag is a `ContextVar`, so each thread (and each asyncio task) has its own; the hook's cost outside a guarded
context is one `ContextVar.get`, inside it a tuple lookup per audited event (a few hundred nanoseconds).

The guard covers Python code (rdflib, urllib, SPARQLWrapper, open()). The query engine is Rust and does not raise
audit events; queries therefore run in worker processes that cannot create any file descriptor at all
(see service.query.executor), and service.query.sparql refuses SERVICE and unknown FROM graphs before they get there.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from service.errors import OutboundRefused

_active: ContextVar[bool] = ContextVar("histkg_guard_active", default=False)
_allowed: tuple[str, ...] = ()
_peers: set[tuple[str, int]] = set()  # (host or address, port) a request may reach: a remote store, if any
_installed = False

NETWORK_EVENTS = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.sendto",
    "socket.sendmsg", "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect", "poplib.connect",
    "imaplib.open", "telnetlib.Telnet.open"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def install(allowed_dirs: Iterable[Path | str]) -> None:
    """Add the audit hook (once per process) and extend the folders request handling may read from."""
    global _allowed, _installed
    roots = {os.path.realpath(p) for p in allowed_dirs}
    roots |= {os.path.dirname(os.path.realpath(__file__))}  # the package: templates, static files, lazy imports
    roots |= {os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)}  # lazily imported modules
    _allowed = tuple(sorted(set(_allowed) | {r.rstrip(os.sep) + os.sep for r in roots}))
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def allow_url(url: str) -> None:
    """Let requests reach this URL's host and port (the remote SPARQL store the service is built on)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    _peers.add((parts.hostname, port))
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except OSError:
        return
    _peers.update((str(info[4][0]), port) for info in infos)


@contextmanager
def guarded() -> Iterator[None]:
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def enter() -> object:
    """Start guarding the current context; pass the result to `leave`."""
    return _active.set(True)


def leave(token: object) -> None:
    try:
        _active.reset(token)  # type: ignore[arg-type]
    except ValueError:  # reset from another context: just switch the flag off
        _active.set(False)


def reset() -> None:
    """Stop guarding the current context (a freshly forked worker, before it sets itself up)."""
    _active.set(False)


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _active.get():
        return
    if event in NETWORK_EVENTS and not _to_peer(event, args):
        _active.set(False)  # the exception's own formatting must not trip the guard again
        try:
            raise OutboundRefused(f"refused: {event} while handling a request (this service never opens network "
                                  "connections on a request's behalf)")
        finally:
            _active.set(True)
    if event == "open":
        _check_open(args)


def _to_peer(event: str, args: tuple[Any, ...]) -> bool:
    if not _peers:
        return False
    try:
        if event == "socket.connect":
            address = args[1]
            return isinstance(address, tuple) and (str(address[0]), int(address[1])) in _peers
        if event == "socket.getaddrinfo":
            return (str(args[0]), int(args[1] or 0)) in _peers
        if event == "urllib.Request":
            parts = urlsplit(str(args[0]))
            return (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)) in _peers
        if event == "http.client.connect":
            return (str(args[1]), int(args[2])) in _peers
    except (IndexError, TypeError, ValueError):
        return False
    return False


def _check_open(args: tuple[Any, ...]) -> None:
    path, mode, flags = (*args, None, None, None)[:3]
    if path is None or isinstance(path, int):  # an already open descriptor
        return
    name = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else str(path)
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
        (isinstance(flags, int) and flags & _WRITE_FLAGS)
    real = os.path.realpath(name)
    if not writing and real.startswith(_allowed):
        return
    raise OutboundRefused(f"refused: opening {'for writing ' if writing else ''}a file outside the service's "
                          "folders while handling a request")
