"""Events in time order by everything known of them, never by an invented date (pure: no RDF, no store).

A timeline lists events by when they begin. What is known:

- bounds: an event begins on or after its earliest bound and on or before its latest bound (the end of a period:
  a latest of "1976" is 31 December 1976). A begins before B whenever A's latest < B's earliest;
- order: A before B (asserted or inferred: A ended before B began) puts A first. Bounds travel along it without
  becoming dates: what precedes B begins no later than B's latest; what follows A begins no earlier than A's
  earliest. They are used to sort, never shown;
- containment: a whole begins no later than its parts, so a parent comes before its sub-events and heads them;
- the telling: where nothing above decides, the source's narrative order (the first mention of each event), then
  the label.

The first three are constraints, sorted topologically (Kahn's algorithm, always taking the ready event that comes
first by date, then bucket, then narrative order, then label). Constraints from bounds go through one invisible
milestone per distinct day ("day D has begun"), so they cost a few edges per event, not one per pair. A cycle in
the data (A before B before A, or order against dates) is broken, never looped on: when nothing is ready, the
first remaining event by that key goes next.
"""

from __future__ import annotations

import heapq
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Day = tuple[int, int, int]
_DATE = re.compile(r"(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?")
_NEVER: Day = (sys.maxsize, 0, 0)
_DAYS_IN_MONTH = 31  # enough for comparing: "1976-09" ends after every day of September


@dataclass(frozen=True)
class Known:
    """What the sort knows of one event: its bounds (lexical forms of xsd:date / gYearMonth / gYear), where the
    source first mentions it (None: nowhere known) and its label."""
    iri: str
    earliest: str | None = None
    latest: str | None = None
    told: int | None = None
    label: str = ""


def day(text: str | None, *, end: bool) -> Day | None:
    """The first (or, with `end`, the last) day of a date, month or year, comparable across precisions."""
    match = _DATE.match(text or "")
    if match is None:
        return None
    year, month, dd = match.groups()
    if end:
        return int(year), int(month or 12), int(dd or _DAYS_IN_MONTH)
    return int(year), int(month or 1), int(dd or 1)


def order(events: Sequence[Known], before: Iterable[tuple[str, str]], parents: Iterable[tuple[str, str]]
          ) -> list[str]:
    """The events' IRIs in time order. `before`: (earlier, later) pairs; `parents`: (sub-event, parent) pairs.
    Pairs naming an IRI not in `events` are ignored."""
    known = {e.iri: e for e in events}
    order_edges = {(a, b) for a, b in before if a in known and b in known and a != b}
    starts, ends = _propagated(known, order_edges)
    keys = {iri: _key(e, starts[iri], ends[iri]) for iri, e in known.items()}
    edges: dict[str, set[str]] = defaultdict(set)
    for a, b in order_edges:
        edges[a].add(b)
    for child, parent in parents:
        if child in known and parent in known and child != parent:
            edges[parent].add(child)
    _milestones(starts, ends, edges, keys)
    return [node for node in _kahn(keys, edges) if node in known]


def _propagated(known: dict[str, Known], edges: set[tuple[str, str]]
                ) -> tuple[dict[str, Day | None], dict[str, Day | None]]:
    """Each event's earliest start and latest start, tightened along the order (cycles: left as they are)."""
    starts = {iri: day(e.earliest, end=False) for iri, e in known.items()}
    ends = {iri: day(e.latest, end=True) for iri, e in known.items()}
    following: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        following[a].add(b)
    ranked = _kahn({iri: (0,) for iri in known}, following, break_cycles=False)
    for a in ranked:  # forwards: B begins after A ended, so no earlier than A could begin
        for b in following[a]:
            starts[b] = _later(starts[b], starts[a])
    for a in reversed(ranked):  # backwards: A began before B began, so no later than B's latest
        for b in following[a]:
            ends[a] = _earlier(ends[a], ends[b])
    return starts, ends


def _later(mine: Day | None, other: Day | None) -> Day | None:
    return other if mine is None or (other is not None and other > mine) else mine


def _earlier(mine: Day | None, other: Day | None) -> Day | None:
    return other if mine is None or (other is not None and other < mine) else mine


def _key(event: Known, start: Day | None, end: Day | None) -> tuple[object, ...]:
    """Date first; on one date what may come before it (only an upper bound), then what is on it, then what is only
    known to come after it, then what has no bound at all; then the telling, then the label."""
    anchor = start or end or _NEVER
    bucket = (0 if end is not None else 3) if start is None else (1 if end is not None else 2)
    told = event.told if event.told is not None else sys.maxsize
    return anchor, bucket, told, event.label.lower(), event.iri


def _milestones(starts: dict[str, Day | None], ends: dict[str, Day | None], edges: dict[str, set[str]],
                keys: dict[str, tuple[object, ...]]) -> None:
    """One node per distinct earliest day, chained in date order: "day D has begun" comes before every event that
    begins on or after D, and after every event that begins before D (latest < D)."""
    days = sorted({d for d in starts.values() if d is not None})
    names = [f"\x00milestone {i}" for i in range(len(days))]  # never an IRI
    for i, name in enumerate(names):
        keys[name] = (days[i], -1)
        if i:
            edges[names[i - 1]].add(name)
    index = {d: i for i, d in enumerate(days)}
    for iri, start in starts.items():
        if start is not None:
            edges[names[index[start]]].add(iri)
    for iri, end in ends.items():
        if end is not None:
            after = _first_after(days, end)
            if after is not None:
                edges[iri].add(names[after])


def _first_after(days: list[Day], end: Day) -> int | None:
    lo, hi = 0, len(days)
    while lo < hi:
        mid = (lo + hi) // 2
        if days[mid] <= end:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(days) else None


def _kahn(keys: dict[str, tuple[object, ...]], edges: dict[str, set[str]], *, break_cycles: bool = True
          ) -> list[str]:
    """Topological order taking the smallest ready key first. In a cycle, with `break_cycles` the smallest remaining
    node goes next regardless; without, the cycle's nodes (and what they hold back) are left out."""
    waiting = dict.fromkeys(keys, 0)
    for targets in edges.values():
        for b in targets:
            waiting[b] += 1
    ready = [(keys[n], n) for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    remaining = [(keys[n], n) for n in keys] if break_cycles else []
    heapq.heapify(remaining)
    done: set[str] = set()
    out: list[str] = []
    while len(out) < len(keys):
        if ready:
            _, node = heapq.heappop(ready)
            if node in done:
                continue
        elif remaining:
            _, node = heapq.heappop(remaining)
            if node in done:
                continue
        else:
            break
        done.add(node)
        out.append(node)
        for b in edges.get(node, ()):
            waiting[b] -= 1
            if waiting[b] == 0 and b not in done:
                heapq.heappush(ready, (keys[b], b))
    return out
