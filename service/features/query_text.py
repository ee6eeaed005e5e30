"""A saved query's text with its parameter values written in, for the SPARQL editor ("Open in the SPARQL editor").

The service runs a saved query with its parameters pre-bound by the engine (service.features.saved_queries). A person
who opens the query in the editor should get the same rows, so the values are written into the text as a VALUES
block at the start of the query's WHERE group: joined with the whole pattern before grouping, as pre-binding is.
Only the query's own tokens are read (comments, strings and IRIs are skipped), so a brace in a comment or a literal
never moves the insertion point.
"""

from __future__ import annotations

import re
from typing import Any

from service.store.batches import values_clause

_TOKEN = re.compile(r'''
    (?P<skip>\#[^\n]*                                # a comment
      | """(?:[^"\\]|\\.|"(?!""))*"""                # long strings
      | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'    # strings
      | <[^<>"{}|^`\\\x00-\x20]*>)                   # an IRI (a "<" in an expression is followed by a space)
    | (?P<open>\{) | (?P<close>\})
    | (?<![?$\w:])(?P<word>[A-Za-z]+)(?![\w:-])       # a keyword, not a variable or a prefixed name
''', re.VERBOSE)
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def where_group_start(text: str) -> int | None:
    """The offset just after the `{` that opens the query's WHERE group, or None if there is none to find."""
    depth, form, skip_template, after_form = 0, None, False, False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "skip":
            continue
        if kind == "word":
            word = match.group().upper()
            if form is None and depth == 0 and word in _FORMS:
                form, after_form = word, True
                continue
            if form == "CONSTRUCT" and after_form and word == "WHERE":
                return None  # CONSTRUCT WHERE { triples }: no VALUES allowed inside; the caller appends them
        elif kind == "open":
            if depth == 0 and form is not None:
                # CONSTRUCT { template } WHERE { pattern }: the first group right after CONSTRUCT is the template.
                if form == "CONSTRUCT" and after_form:
                    skip_template = True
                elif not skip_template:
                    return match.end()
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
            if depth == 0 and skip_template:
                skip_template = False
        after_form = False
    return None


def with_values(text: str, bindings: dict[str, Any]) -> str:
    """The query with `VALUES ?name { term }` for each binding (pyoxigraph terms) at the start of its WHERE group.

    Where no WHERE group is found, a trailing VALUES clause, as the service sends a remote SPARQL server."""
    if not bindings:
        return text
    at = where_group_start(text)
    if at is None:
        return text.rstrip("\n") + values_clause(bindings)
    values = "\n".join(f"  VALUES ?{name} {{ {term} }}  # parameter" for name, term in bindings.items())
    rest = text[at:]
    return text[:at] + "\n" + values + ("" if rest.startswith(("\n", "\r\n")) else "\n") + rest
