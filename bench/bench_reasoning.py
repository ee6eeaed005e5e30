"""Reasoning and parsing, side by side: owlrl vs histkg's fast materialiser vs reasonable; rdflib vs pyoxigraph.

    python bench/bench_reasoning.py [--sizes 5000 50000 500000] [--runs 3] [--owlrl-max 50000] [--json out.json]

Every measurement runs in a fresh subprocess, so its time and its peak RSS (ru_maxrss) are its own. Data comes from
bench/generate.py (same seed, so the same bytes everywhere), cached in --data-dir.

What is reasoned over is what `histkg` reasons over: the ontology plus the facts of the generated file (statement
nodes go to their own graph and are not reasoned over; see service/rdf/loading.py); "fast-all" reasons over the whole
file, statement nodes included. Reasoning time is the reasoner
call only, input already parsed; for owlrl and reasonable that includes building their rdflib graph.
The fast materialiser's closure is checked equal (as a set, after the junk filter) to owlrl's wherever owlrl runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("parse-rdflib", "parse-pyoxigraph", "owlrl", "fast", "reasonable", "fast-all")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def digest(triples: Any) -> str:
    return hashlib.sha256("\n".join(sorted(str(t) for t in triples)).encode()).hexdigest()[:16]


def run_parse(kind: str, path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    if kind == "parse-rdflib":
        import rdflib

        count = len(rdflib.Graph().parse(path, format="nt"))
    else:
        import pyoxigraph as ox

        count = len([q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)])
    return {"seconds": time.perf_counter() - started, "triples": count}


def run_reasoner(kind: str, path: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from service.config import Settings
    from service.rdf.loading import load_files
    from service.reasoning import reasoner

    started = time.perf_counter()
    # The owl profile (bench/generate_owl.py) carries its own ontology in the file; the histkg one uses histkg's.
    loaded = load_files([] if path.name.startswith("owl-") else Settings().ontology_files, [path])
    parsed = time.perf_counter() - started
    if kind == "fast-all":  # a harder input: statement nodes reasoned over too, the whole file
        loaded.facts, loaded.statements = loaded.facts + loaded.statements, []
    before = rss_mib()
    started = time.perf_counter()
    if kind == "owlrl":
        inferred = reasoner.materialise(loaded.ontology, loaded.facts)
    elif kind in ("fast", "fast-all"):
        inferred = reasoner.materialise_fast(loaded.ontology, loaded.facts)
    else:
        inferred = run_reasonable(loaded.ontology, loaded.facts)
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "parse_seconds": parsed, "total_seconds": parsed + seconds,
              "input": len(loaded.ontology) + len(loaded.facts), "inferred": len(inferred),
              "closure": digest(inferred), "rss_before_mib": before}
    if kind == "reasonable":  # not the same rule set: say how far from ours it is (not timed)
        ours = set(reasoner.materialise_fast(loaded.ontology, loaded.facts))
        theirs = set(inferred)
        result |= {"missing_vs_owlrl_closure": len(ours - theirs), "extra_vs_owlrl_closure": len(theirs - ours)}
    return result


def run_reasonable(ontology: list[Any], facts: list[Any]) -> list[Any]:
    import rdflib
    import reasonable

    from service.rdf.terms import triples_from_rdflib, triples_to_rdflib
    from service.reasoning import reasoner

    graph = triples_to_rdflib(ontology)
    triples_to_rdflib(facts, graph)
    engine = reasonable.PyReasoner()
    engine.from_graph(graph)
    out = engine.reason()
    new = (t for t in out if t not in graph and not isinstance(t[0], rdflib.Literal))
    return [t for t in triples_from_rdflib(new) if not reasoner.is_junk(t)]


def child(kind: str, path: Path) -> None:
    result = run_parse(kind, path) if kind.startswith("parse") else run_reasoner(kind, path)
    result["rss_mib"] = rss_mib()
    print(json.dumps(result))


def measure(kind: str, path: Path, runs: int, timeout: float) -> dict[str, Any]:
    """Median seconds and median peak RSS over `runs` fresh processes."""
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True,
                              text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    summary = dict(results[0])
    summary["seconds"] = statistics.median(r["seconds"] for r in results)
    if "total_seconds" in results[0]:
        summary["total_seconds"] = statistics.median(r["total_seconds"] for r in results)
    summary["rss_mib"] = statistics.median(r["rss_mib"] for r in results)
    summary["runs"] = [round(r["seconds"], 3) for r in results]
    return summary


def data_file(size: int, data_dir: Path, profile: str = "histkg", same_as: float = 0.0) -> Path:
    name = f"generated-{size}.nt" if profile == "histkg" else f"owl-{size}-sameas{same_as:g}.nt"
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(size), "-o", str(path),
                        "--profile", profile, "--same-as", str(same_as)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000, 500000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--owlrl-max", type=int, default=50000, help="largest size owlrl is run at")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS[:-1]), choices=KINDS)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/histkg-bench"))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", type=Path, help="write all results here")
    parser.add_argument("--profile", choices=["histkg", "owl"], default="histkg",
                        help="the generator's profile: histkg's ontology, or one using every OWL 2 RL construct")
    parser.add_argument("--same-as", type=float, default=0.0, help="owl profile: fraction of individuals in "
                                                                    "owl:sameAs classes")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    results: dict[str, dict[str, Any]] = {}
    for size in args.sizes:
        path = data_file(size, args.data_dir, args.profile, args.same_as)
        for kind in args.kinds:
            if kind == "owlrl" and size > args.owlrl_max:
                continue
            result = measure(kind, path, args.runs, args.timeout)
            results[f"{kind}@{size}" + (f"/{path.stem}" if args.profile == "owl" else "")] = result
            print(f"{kind:16} {size:>9} {json.dumps(result)}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
