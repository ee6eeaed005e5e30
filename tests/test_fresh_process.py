"""The first requests of a fresh serving process work: nothing a request needs is first imported (or read from
disk) inside a guarded request, where the outbound guard would refuse the files an import reads.

Run in a new interpreter: in this test session every module is long since imported, which would hide it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from service.config import PROJECT_ROOT

FIRST_REQUESTS = [
    ("/queries/flights.json", "application/json"),
    ("/id/viktor-belenko", "application/ld+json"),
    ("/export?format=jsonld&graph=asserted", "application/ld+json"),
    ("/sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20a%20%3Fo%7D%20LIMIT%203", "application/ld+json"),
    ("/sparql?query=SELECT%20%2A%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203", "text/csv"),
    ("/id/viktor-belenko", "text/html"),
]
SCRIPT = """
import json, sys
from pathlib import Path
from service.config import Settings
from service.store.graph import KnowledgeGraph
from service.web import create_app
from service.query.executor import shutdown
kg = KnowledgeGraph.load(Settings(cache_dir=Path(sys.argv[2]), response_cache_bytes=0))
client = create_app(kg).test_client()
statuses = [client.get(path, headers={"Accept": accept}).status_code for path, accept in json.loads(sys.argv[1])]
shutdown()
print(json.dumps(statuses))
"""


def first_statuses(cache: Path, cwd: Path, env: dict[str, str] | None = None) -> list[int]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(FIRST_REQUESTS), str(cache)], capture_output=True,
                          text=True, timeout=300, cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    statuses: list[int] = json.loads(done.stdout.strip().splitlines()[-1])
    return statuses


def test_first_requests_of_a_fresh_process(tmp_path: Path) -> None:
    """With a warm closure cache (the usual start), nothing reasons at load: the requests are the first users of
    what they need. From another folder, as a server runs."""
    cache, cwd = tmp_path / "cache", tmp_path / "cwd"
    cwd.mkdir()
    env = {"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    first_statuses(cache, cwd, env)  # warms the closure cache
    assert first_statuses(cache, cwd, env) == [200] * len(FIRST_REQUESTS)


def test_first_requests_from_the_project_folder(tmp_path: Path) -> None:
    """The same from the checkout, where the working directory holds the package's metadata (histkg.egg-info)."""
    first_statuses(tmp_path, PROJECT_ROOT)
    assert first_statuses(tmp_path, PROJECT_ROOT) == [200] * len(FIRST_REQUESTS)
