"""Time as the text tells it: the chronology (a topological sort of dates, bounds, before/after and sub-events, the
telling's order breaking ties), the timeline and its chart."""
