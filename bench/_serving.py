"""Shared by bench_http.py and bench_startup.py: servers as subprocesses on loopback, stopped for sure.

Every server is started in its own session (process group), so stopping it reaches gunicorn's workers and their
query processes too: SIGTERM to the group, SIGKILL after a grace period. Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"
HOST = "127.0.0.1"


def exit_on_signals() -> None:
    """SIGTERM and SIGINT (which a shell's background job ignores) end the script through its `finally` blocks,
    so the servers it started are stopped."""
    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start(argv: list[str], env: dict[str, str] | None = None, log: Path | None = None,
          cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    """A server process in its own process group; stdout discarded, stderr to `log` (or discarded)."""
    err = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    try:
        return subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    finally:
        if log is not None:
            err.close()  # type: ignore[union-attr]


def stop(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGTERM to the process group, SIGKILL if anything is still there after `grace` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers (query processes) even if the leader has gone
    if process.poll() is None:
        process.wait(timeout=10)


def get(port: int, path: str, accept: str = "*/*", timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_for(port: int, path: str, process: subprocess.Popen[bytes], timeout: float, accept: str = "*/*",
             poll: float = 0.02) -> None:
    """Until GET `path` answers 200; raises if the process exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} before answering {path}")
        try:
            status, _, _ = get(port, path, accept, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(poll)
    raise RuntimeError(f"{path} on port {port} did not answer 200 within {timeout:.0f} s")


def histkg_argv(port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "service.cli", "serve", "--host", HOST, "--port", str(port), *extra]


def git_rev() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    rev = git("rev-parse", "--short", "HEAD") or "?"
    return rev + (" (+ uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    memory = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()
    total = memory[1].split()[1] if len(memory) > 1 else "?"
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"machine: {os.cpu_count()} CPUs (nproc), {model}, {total} GiB RAM (free -g), Linux "
            f"{platform.release()}, Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M %Z')}; "
            f"load average when the report was written (1/5/15 min): {load}")


def write_results(section: str, body: str) -> None:
    """Replace (or add) `## section` in bench/results.md, leaving every other section as it is."""
    text = RESULTS.read_text() if RESULTS.exists() else "# histkg benchmarks\n"
    block = f"## {section}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(section)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    text = pattern.sub(lambda _: block + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    RESULTS.write_text(text.rstrip() + "\n")
