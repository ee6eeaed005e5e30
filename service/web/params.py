"""The request parameters many pages share, parsed one way and strictly: a bad value is a 400 saying what is allowed.

- `infer`: true (asserted and inferred, the default) or false (asserted only); also 1/0, yes/no, on/off. The last
  value wins, so an HTML form can send a hidden `false` before its checkbox's `true`.
- `page`: a whole number from 1 (the default). Past the last page is the caller's business (a 404, or the last).

The parsers take the values (no Flask): the SPARQL fast path and the protocol's POST bodies use them too.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import BadRequest

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def parse_infer(values: list[str]) -> bool:
    if not values:
        return True
    value = values[-1].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadRequest(f"infer={values[-1][:40]!r}: use infer=true (asserted and inferred triples) or infer=false "
                     "(asserted only); 1/0, yes/no and on/off are read the same")


def whole_number(value: str, max_digits: int = 9) -> int | None:
    """`value` (spaces around it aside) as a whole number written in at most `max_digits` ASCII digits, else None.
    int() alone would also take "+3", "1_000" and other scripts' digits ("²" passes str.isdigit but not int), and
    past 4300 digits it raises."""
    digits = value.strip()
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= max_digits else None


def parse_page(value: str | None) -> int:
    if value is None:
        return 1
    number = whole_number(value) or 0
    if number < 1:
        raise BadRequest(f"page={value[:40]!r}: use page=N, a whole number from 1")
    return number


def infer_param() -> bool:
    """`infer` from the URL's query string."""
    return parse_infer(request.args.getlist("infer"))


def page_param() -> int:
    """`page` from the URL's query string."""
    return parse_page(request.args.get("page"))
