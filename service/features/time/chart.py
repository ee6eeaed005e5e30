"""The timeline chart: the timeline's events (time.timeline, ordered by time.chronology:
dates, stated before/after, sub-events) along a horizontal axis in that order, in lanes by thread (who or what an
event is about: its first participant or aircraft, people before aircraft before the rest), a known day as a dot,
a vague time as a bar that fades out to the right (it starts no earlier than its bound and its end is unknown).

The axis is the order, not a scale of days: the source dates only three days, and spreading the rest by invented
days would say more than the text does. Days that are known label the axis where their events stand."""

from __future__ import annotations

from dataclasses import dataclass

from service.features.time.timeline import Event

LANE_HEIGHT = 46
LEFT = 170  # room for the lane names
STEP = 34   # pixels per event along the axis


@dataclass(frozen=True)
class ChartMark:
    event: Event
    lane: int
    x: float
    y: float
    vague: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lanes: list[str]
    marks: list[ChartMark]
    ticks: list[tuple[float, str]]  # (x, the day as the source gives it)


def thread(event: Event) -> str:
    """The event's thread: its first participant (a person or unit) or else its aircraft, else 'Other events'."""
    people = [p for p in event.participants if "aircraft" not in p.value and "mig" not in p.value]
    chosen = people or event.participants
    return chosen[0].label if chosen else "Other events"


def layout(events: tuple[Event, ...] | list[Event]) -> Chart | None:
    if not events:
        return None
    lanes: list[str] = []
    marks = []
    ticks: list[tuple[float, str]] = []
    for i, event in enumerate(events):
        name = thread(event)
        if name not in lanes:
            lanes.append(name)
        x = LEFT + 20 + i * STEP
        vague = event.precision != "day"
        marks.append(ChartMark(event, lanes.index(name), x, 30 + lanes.index(name) * LANE_HEIGHT + LANE_HEIGHT / 2,
                               vague))
        if not vague and event.earliest and (not ticks or ticks[-1][1] != event.date_label):
            ticks.append((x, event.date_label))
    width = LEFT + 40 + len(events) * STEP + 60
    return Chart(width, 30 + len(lanes) * LANE_HEIGHT + 40, lanes, marks, ticks)
