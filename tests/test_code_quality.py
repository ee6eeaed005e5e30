"""The code checks run with the tests: ruff, mypy (strict on service/), and the import-direction rule."""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.config import PROJECT_ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff() -> None:
    result = run("ruff", "check", "service", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_imports_go_downward_and_the_core_knows_no_http() -> None:
    """cli -> web -> features -> sparql -> store -> reasoner -> leaves; no flask/werkzeug/click in the core."""
    result = subprocess.run(["lint-imports"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    if result.returncode != 0 and "command not found" in result.stderr:  # pragma: no cover
        pytest.fail("import-linter is not installed")
    assert result.returncode == 0, result.stdout + result.stderr
