"""The repository alone is enough to run its tests: a user's clone has nothing beside it.

A copy of the tracked files, in a folder with no sibling `shared/` (or anything else), collects every test and runs
the ones that read vendored material (the W3C protocol manifest, the source article). Whatever a test needs lives in
`tests/data/` with its licence or notice.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Names of folders outside the repository that tests once read; no test or CI file may name them again.
OUTSIDE = re.compile(r"\.\./shared|parents\[2\]|ROOT\.parent|PROJECT_ROOT\.parent")


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def lone_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    copy = tmp_path_factory.mktemp("alone") / "histkg"
    for name in tracked_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert not (copy.parent / "shared").exists()
    return copy


def run_pytest(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy), "HISTKG_CACHE_DIR": str(copy / ".cache")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=copy, env=env,
                          capture_output=True, text=True, check=False, timeout=600)


def test_a_lone_copy_collects_every_test(lone_copy: Path) -> None:
    here = run_pytest(ROOT, "--collect-only", "-q", "--stores", "memory", "tests/test_dataset.py")
    there = run_pytest(lone_copy, "--collect-only", "-q", "--stores", "memory")
    assert there.returncode == 0, there.stdout[-3000:] + there.stderr[-3000:]
    assert "error" not in there.stdout.lower().split("\n")[-2]
    assert here.returncode == 0
    collected = int(re.search(r"(\d+) tests? collected", there.stdout).group(1))  # type: ignore[union-attr]
    assert collected > 500


def test_a_lone_copy_runs_the_tests_that_read_vendored_material(lone_copy: Path) -> None:
    ran = run_pytest(lone_copy, "-q", "--stores", "memory", "tests/test_dataset.py",
                     "tests/test_protocol_conformance.py")
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "skipped" not in ran.stdout.splitlines()[-1]
    assert re.search(r"\d+ passed", ran.stdout.splitlines()[-1])


def test_no_test_or_ci_file_reads_outside_the_repository() -> None:
    offenders = [name for name in tracked_files()
                 if name.startswith(("tests/", ".ci/")) and name.endswith((".py", "run", ".sh", ".toml"))
                 and name != "tests/test_fresh_clone.py" and OUTSIDE.search((ROOT / name).read_text(errors="replace"))]
    assert offenders == []
