"""One forked worker process that answers length-prefixed messages over a socketpair, and cannot open anything.

The parent side (`Worker`) sends a message and waits for the reply until a deadline (TimeoutError), or notices the
worker died (EOFError); `kill()` is SIGKILL and reap. The child keeps file descriptors 0-2 and its socket (as fd 3),
closes every other descriptor it inherited (the server's sockets, sibling workers' sockets) and sets RLIMIT_NOFILE
to 4: from then on no open(), socket() or pipe() can succeed in it. It exits when its parent goes away.

Memory. A child may take `memory_bytes` beyond what it holds when forked (RLIMIT_DATA set to its data segment at
the fork plus that). Why RLIMIT_DATA: since Linux 4.7 it counts private writable mappings (the heap, anonymous
mmap: where a sort or a hash table grows), not file mappings or address space merely reserved; RLIMIT_AS would
count the on-disk store's mapped files and every reserved arena (a disk-store query process starts at 460 MB of
address space but 100 MB of data). A cgroup would need a delegated hierarchy the service cannot count on; the
rlimit needs no privilege. Past the limit an allocation fails: the engine (Rust) aborts the process (SIGABRT), and
Python raises MemoryError; the parent tells that apart from a stack overflow (SIGSEGV) by the signal.

Over an on-disk store snapshot (service.store.snapshot) the child also keeps the descriptors of the store's files, which
the parent opened read-only before forking. RocksDB opens further table files when a read first needs them (a large
store), so such a child may open one descriptor per store file more, and Landlock (query.sandbox) restricts it to
reading files under the store's folder, with no TCP at all.
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import signal
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from service.query import guard, sandbox

Handler = Callable[[bytes], bytes]
_HEADER = struct.Struct(">Q")
_SOCKET_FD = 3
_RESET_SIGNALS = ("SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGTTIN", "SIGTTOU",
                  "SIGCHLD", "SIGPIPE", "SIGALRM")


@dataclass
class Worker:
    pid: int
    sock: socket.socket

    def call(self, payload: bytes, deadline: float) -> bytes:
        """Send `payload`, return the reply. TimeoutError past `deadline` (time.monotonic()), EOFError if it died."""
        try:
            self.sock.sendall(_HEADER.pack(len(payload)) + payload)
        except OSError:
            raise EOFError("the worker is gone") from None
        reply = receive(self.sock, deadline)
        if reply is None:
            raise EOFError("the worker is gone")
        return reply

    def kill(self) -> int | None:
        """SIGKILL and reap; returns the signal that ended the process: SIGKILL if it was still running, the one
        that had killed it if it was dead already (a zombie keeps its status), None if it had exited."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        ended: int | None = None
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(self.pid, 0)
            ended = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        self.sock.close()
        return ended


def receive(sock: socket.socket, deadline: float | None) -> bytes | None:
    """One length-prefixed message; None on end of file. TimeoutError when `deadline` passes first."""
    header = _read_exactly(sock, _HEADER.size, deadline)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    body = _read_exactly(sock, size, deadline)
    if body is None:
        return None
    return body


def _read_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes | None:
    chunks = bytearray()
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    while len(chunks) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if not poller.poll(remaining * 1000):
                raise TimeoutError
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def spawn(handler: Handler, keep_under: Path | None = None, memory_bytes: int = 0) -> Worker:
    """Fork a worker that answers each message with handler(message). Descriptors the parent holds open on files
    under `keep_under` (an on-disk store's files, opened read-only before the fork) stay open in the worker. It may
    allocate `memory_bytes` beyond what it shares with the parent (0: no limit)."""
    parent_end, child_end = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            parent_end.detach()
            _child_main(child_end.detach(), handler, keep_under, memory_bytes)
            code = 0
        finally:
            os._exit(code)
    child_end.close()
    return Worker(pid, parent_end)


def limit_memory(extra_bytes: int) -> int:
    """Let this process allocate `extra_bytes` more than its data segment now (RLIMIT_DATA, soft and hard: the
    limit cannot be raised again). Returns the limit. Read before _isolate: /proc cannot be opened after it."""
    with open("/proc/self/status", "rb") as status:
        data_kb = next(int(line.split()[1]) for line in status if line.startswith(b"VmData:"))
    limit = data_kb * 1024 + extra_bytes
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the abort at the limit writes no core file
    return limit


def _child_main(fd: int, handler: Handler, keep_under: Path | None, memory_bytes: int) -> None:
    parent = os.getppid()
    guard.reset()  # first: a fork taken during a guarded request would refuse even reading /proc
    if memory_bytes > 0:
        limit_memory(memory_bytes)
    keep: set[int] = set()
    allowance = 0
    if keep_under is not None:  # over an on-disk store: its open files kept, reading more of them allowed
        keep = _descriptors_under(keep_under)
        sandbox.restrict_to_reading(keep_under)
        allowance = _store_allowance(keep_under)
    sock = socket.socket(fileno=_isolate(fd, keep, allowance))
    guard.enter()  # Python code in here is guarded too (the engine itself cannot open anything any more)
    while True:
        try:
            message = _next_message(sock, parent)
        except OSError:
            return
        if message is None:
            return
        reply = handler(message)
        sock.sendall(_HEADER.pack(len(reply)) + reply)


def _next_message(sock: socket.socket, parent: int) -> bytes | None:
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    while not poller.poll(1000):
        if os.getppid() != parent:  # the parent went away without closing our socket
            return None
    return receive(sock, None)


def _isolate(fd: int, keep: set[int], allowance: int = 0) -> int:
    """Default signal handling; fds 0-2, the socket and `keep` only; no new file descriptor from here on, or at
    most `allowance` more (an on-disk store's lazily opened files, under Landlock: see _store_allowance).
    Returns the socket's descriptor: 3, unless 3 is one to keep."""
    for name in _RESET_SIGNALS:
        with contextlib.suppress(ValueError, OSError, AttributeError):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    for std in (0, 1, 2):
        try:
            os.fstat(std)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != std:
                os.dup2(null, std)
                os.close(null)
    if fd != _SOCKET_FD and _SOCKET_FD not in keep:
        os.dup2(fd, _SOCKET_FD)
        os.close(fd)
        fd = _SOCKET_FD
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    top = max(soft, hard) if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    held = sorted({0, 1, 2, fd, *keep})
    for low, high in zip(held, [*held[1:], top], strict=True):
        os.closerange(low + 1, high)
    # A new descriptor always takes the lowest free number: a limit at that number refuses every new one.
    lowest_free = next(n for n in range(len(held) + 1) if n not in held)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free + allowance, lowest_free + allowance))
    return fd


def _store_allowance(folder: Path) -> int:
    """How many more descriptors a query process over the on-disk store at `folder` may open: one per file of the
    store (RocksDB opens table files on first use) and a few for its own bookkeeping. Landlock restricts them to
    reading files under `folder` (service.query.sandbox); without Landlock the process may open that many files
    anywhere, and the guard in service.query.sparql remains the wall (the parent logs a warning)."""
    return sum(1 for _ in folder.iterdir()) + 8


def _descriptors_under(folder: Path) -> set[int]:
    """The open descriptors on files inside `folder` (Linux: read from /proc/self/fd)."""
    prefix = str(folder.resolve()) + os.sep
    found = set()
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{name}").startswith(prefix):
                found.add(int(name))
    return found
