"""Settings: where the data is, the dataset's base IRI, limits. Built from arguments or HISTKG_* variables."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from service.rdf.namespaces import DEFAULT_BASE

# The package's folder, and the repo it was installed from (editable installs).
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def shipped_folder(name: str, package_dir: Path = PACKAGE_DIR) -> Path:
    """Where the shipped `data`, `ontology` or `queries` folder is: inside the installed package (a wheel carries
    them as service/shipped/NAME), else in the checkout the package runs from (a clone, an editable install)."""
    installed = package_dir / "shipped" / name
    return installed if installed.is_dir() else package_dir.parent / name


SHIPPED_DATA = shipped_folder("data")
SHIPPED_ONTOLOGY = shipped_folder("ontology")
SHIPPED_QUERIES = shipped_folder("queries")


def _default_ontology() -> tuple[Path, ...]:
    return (SHIPPED_ONTOLOGY / "histkg.ttl", SHIPPED_ONTOLOGY / "alignment.ttl")


def _default_data() -> tuple[Path, ...]:
    # The article's dataset and the gazetteer of its places (coordinates and identifiers, each with its source).
    return (SHIPPED_DATA / "belenko.ttl", SHIPPED_DATA / "gazetteer.ttl")


def _default_cache_dir() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "histkg"


STORAGES = ("auto", "memory", "disk")


def check_tile_template(template: str) -> None:
    """A map tile URL template: http(s), one fixed origin (no {s} subdomains: the CSP names exactly one), and
    {z}, {x} and {y} as its only placeholders. ValueError otherwise."""
    parsed = urlsplit(template)
    fields = re.findall(r"\{[^}]*\}", template)
    # The host as a CSP source names it: letters, digits, dots, dashes, a port; nothing that could end the source.
    if (parsed.scheme not in ("http", "https") or not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?", parsed.netloc)
            or sorted(fields) != ["{x}", "{y}", "{z}"]):
        raise ValueError(f"HISTKG_MAP_TILES must be an http(s) URL on one host with {{z}}, {{x}} and {{y}} "
                         f"(e.g. https://tile.example.org/{{z}}/{{x}}/{{y}}.png), not {template[:120]!r}")


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, as a CSP source names it."""
    parsed = urlsplit(url)
    return f"{parsed.scheme}://{parsed.netloc}"


@dataclass(frozen=True)
class Settings:
    data_files: tuple[Path, ...] = field(default_factory=_default_data)
    ontology_files: tuple[Path, ...] = field(default_factory=_default_ontology)
    # (graph IRI, file): files loaded into a named graph of that name (their triples only, no split, no reasoning
    # beyond the union). Used e.g. by the W3C protocol tests' data.
    graph_files: tuple[tuple[str, Path], ...] = ()
    shapes_file: Path | None = SHIPPED_ONTOLOGY / "shapes.ttl"
    queries_dir: Path = SHIPPED_QUERIES
    base: str = DEFAULT_BASE
    cache_dir: Path | None = field(default_factory=_default_cache_dir)  # None: no closure cache
    query_timeout: float = 10.0   # seconds; a request may ask for less, never more
    result_limit: int = 10_000    # rows or triples an ad-hoc query may return before it is cut (and says so)
    max_query_length: int = 100_000  # characters of query text
    reasoner: str = "auto"        # "owlrl", "fast" (reasoning.materialise) or "auto": fast from the threshold on
    reasoner_threshold: int = 20_000  # input triples (ontology + facts) from which "auto" uses the fast reasoner
    query_workers: int = 4        # query processes per serving process (0: run queries in-process, CLI)
    # Memory a query process may take beyond the graph it shares with its parent (MB; 0: unbounded), and what all
    # query processes of the server may take together: the pools size themselves so that processes x limit fits
    # (service.query.executor.pool_size). 128 x 8 = the default 2 serving processes x 4 on a 2 GiB server.
    query_memory_mb: int = 128
    query_memory_budget_mb: int = 1024
    serving_processes: int = 1    # HTTP worker processes sharing that budget (set by `histkg serve --workers`)
    max_body_bytes: int = 1 << 20  # request bodies larger than this are refused (413)
    max_url_length: int = 8_000   # path + query string longer than this is refused (414)
    # "memory", "disk" (an on-disk store snapshot in cache_dir, reopened at the next start: service.store.snapshot) or
    # "auto": disk from disk_threshold quads on (the named graphs and the union copy), memory below.
    storage: str = "auto"
    disk_threshold: int = 250_000
    union_copy: bool = True       # keep the default view's union as one graph: faster queries, 2x store memory
    response_cache_bytes: int = 64 << 20  # whole responses kept in memory per serving process (0: none)
    # A tile layer the maps draw over their offline base map: an XYZ URL template ({z}/{x}/{y}, 256 px Web Mercator
    # tiles) on one http(s) origin, which the CSP then lets images come from; with its attribution. None: no tile,
    # no request anywhere but this service.
    map_tiles: str | None = None
    map_tiles_attribution: str = ""

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from HISTKG_* variables; explicit overrides win. Paths lists are separated by os.pathsep."""
        env: dict[str, object] = {}
        if value := os.environ.get("HISTKG_DATA"):
            env["data_files"] = tuple(Path(p) for p in value.split(os.pathsep) if p)
        if value := os.environ.get("HISTKG_ONTOLOGY"):
            env["ontology_files"] = tuple(Path(p) for p in value.split(os.pathsep) if p)
        if value := os.environ.get("HISTKG_BASE"):
            env["base"] = value
        if value := os.environ.get("HISTKG_CACHE_DIR"):
            env["cache_dir"] = None if value == "none" else Path(value)
        if value := os.environ.get("HISTKG_QUERY_TIMEOUT"):
            env["query_timeout"] = float(value)
        if value := os.environ.get("HISTKG_QUERY_WORKERS"):
            env["query_workers"] = int(value)
        if value := os.environ.get("HISTKG_QUERY_MEMORY_MB"):
            env["query_memory_mb"] = int(value)
        if value := os.environ.get("HISTKG_QUERY_MEMORY_BUDGET_MB"):
            env["query_memory_budget_mb"] = int(value)
        if value := os.environ.get("HISTKG_REASONER"):
            env["reasoner"] = value
        if value := os.environ.get("HISTKG_STORAGE"):
            env["storage"] = value
        if value := os.environ.get("HISTKG_UNION_COPY"):
            env["union_copy"] = value.lower() not in ("0", "false", "no", "off")
        if value := os.environ.get("HISTKG_RESPONSE_CACHE_MB"):
            env["response_cache_bytes"] = int(float(value) * (1 << 20))
        if value := os.environ.get("HISTKG_RESULT_LIMIT"):
            env["result_limit"] = int(value)
        if value := os.environ.get("HISTKG_MAP_TILES"):
            env["map_tiles"] = value
        if value := os.environ.get("HISTKG_MAP_TILES_ATTRIBUTION"):
            env["map_tiles_attribution"] = value
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if self.map_tiles is not None:
            check_tile_template(self.map_tiles)
        if self.storage not in STORAGES:
            raise ValueError(f"storage must be one of {', '.join(STORAGES)}, not {self.storage!r}")
        if self.query_memory_mb < 0 or self.query_memory_budget_mb < 0:
            raise ValueError("the query memory limit and budget are megabytes, 0 or more")
        if self.query_memory_mb and self.query_memory_budget_mb < self.query_memory_mb * self.serving_processes:
            raise ValueError(f"the query memory budget ({self.query_memory_budget_mb} MB) does not fit one query "
                             f"process of {self.query_memory_mb} MB per serving process "
                             f"({self.serving_processes}): raise HISTKG_QUERY_MEMORY_BUDGET_MB or lower "
                             f"HISTKG_QUERY_MEMORY_MB")
