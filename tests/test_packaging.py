"""A plain `pip install .` (a wheel, not an editable install) carries the shipped ontology, dataset and saved
queries, and the settings find them there."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from service.config import PROJECT_ROOT, Settings, shipped_folder

SHIPPED = ("data", "ontology", "queries")


def test_the_wheel_carries_every_shipped_file(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info/ beside the sources.
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md", "service", *SHIPPED):
        path = PROJECT_ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(path, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
                            str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("histkg-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for folder in SHIPPED:
            for source in (PROJECT_ROOT / folder).iterdir():
                if source.is_file():
                    packed = archive.read(f"service/shipped/{folder}/{source.name}")
                    assert packed == source.read_bytes(), source
        # The package itself, whole: every module, template, static and vendored file, the base map, the contexts.
        packed_names = set(archive.namelist())
    package = [path.relative_to(PROJECT_ROOT).as_posix() for path in (PROJECT_ROOT / "service").rglob("*")
               if path.is_file() and "__pycache__" not in path.parts]
    assert len(package) > 100
    assert [name for name in package if name not in packed_names] == []


def test_settings_prefer_the_installed_copy(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "service"
    (package / "shipped" / "data").mkdir(parents=True)
    assert shipped_folder("data", package) == package / "shipped" / "data"
    assert shipped_folder("queries", package) == tmp_path / "site-packages" / "queries"  # not installed: the tree


def test_in_a_checkout_the_tree_is_used() -> None:
    settings = Settings()
    assert settings.data_files == (PROJECT_ROOT / "data" / "belenko.ttl", PROJECT_ROOT / "data" / "gazetteer.ttl")
    assert settings.queries_dir == PROJECT_ROOT / "queries"
    assert settings.shapes_file == PROJECT_ROOT / "ontology" / "shapes.ttl"
