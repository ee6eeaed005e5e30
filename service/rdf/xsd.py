"""The lexical spaces of the XML Schema datatypes OWL 2 RL checks (rule dt-not-type), as XML Schema 1.1 defines them.

An RDF literal whose lexical form is outside its datatype's lexical space is ill-typed; OWL 2 RL makes that an
inconsistency. owlrl decides it with Python converters (float("0E1") after its own rewriting, int(...)), which
refuse valid forms (`0E1`, `.5E-3`, `+INF`) and accept invalid ones (` 1`, `1_000`, Arabic-Indic digits). This
module follows the grammar of XML Schema 1.1 Part 2 instead: a regular expression per primitive type, range checks
for the bounded integer types, the day of the month for dates. No whitespace is allowed around a form (RDF 1.1 takes
the lexical space as is, without the schema's whitespace facet).

Datatypes outside the table (rdf:XMLLiteral, rdf:HTML, xsd:string, anything unknown) accept every form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN")
_BOOLEAN = re.compile(r"true|false|1|0")
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_DAY = r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_DATE_TIME = re.compile(rf"(?P<y>{_YEAR})-(?P<md>{_DAY})T{_TIME}{_ZONE}?")
_DATE_TIME_STAMP = re.compile(rf"(?P<y>{_YEAR})-(?P<md>{_DAY})T{_TIME}{_ZONE}")
_DATE = re.compile(rf"(?P<y>{_YEAR})-(?P<md>{_DAY}){_ZONE}?")
_TIME_ONLY = re.compile(rf"{_TIME}{_ZONE}?")
_HEX = re.compile(r"([0-9a-fA-F]{2})*")
_B64 = "[A-Za-z0-9+/]"
_BASE64 = re.compile(rf"(({_B64} ?){{4}})*(({_B64} ?){{3}}{_B64}|({_B64} ?){{2}}[AEIMQUYcgkosw048] ?=|"
                     rf"{_B64} ?[AQgw] ?= ?=)?")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
# XML 1.0 (fifth edition) NameStartChar and NameChar.
_START = (":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
          "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_CHAR = _START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_NAME = f"[{_START}][{_CHAR}]*"
_NCNAME = f"[{_START.replace(':', '')}][{_CHAR.replace(':', '')}]*"
_NMTOKEN = f"[{_CHAR}]+"

# The value ranges of the integer types derived from xsd:integer: (least, greatest), None where unbounded.
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1), "int": (-(2**31), 2**31 - 1), "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _integer(bounds: tuple[int | None, int | None]) -> Callable[[str], bool]:
    least, greatest = bounds

    def check(form: str) -> bool:
        if not _INTEGER.fullmatch(form):
            return False
        value = int(form)
        return (least is None or value >= least) and (greatest is None or value <= greatest)
    return check


def _dated(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """A date or dateTime form whose day exists in its month (29 February only in a leap year)."""
    def check(form: str) -> bool:
        match = pattern.fullmatch(form)
        if match is None:
            return False
        year = int(match["y"])
        month, day = (int(part) for part in match["md"].split("-"))
        if day > _DAYS_IN_MONTH[month - 1]:
            return False
        # XSD 1.1 has a year 0 (1 BCE), a leap year like every year divisible by 400.
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return not (month == 2 and day == 29 and not leap)
    return check


def _matches(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda form: pattern.fullmatch(form) is not None


def _compiled_when_used(source: str) -> Callable[[str], bool]:
    """For the XML name types: their Unicode classes take 14 ms to compile, two thirds of this module's import, paid
    at every start (the loader imports it) though names are rarely typed literals; so at first use instead."""
    pattern = functools.cache(lambda: re.compile(source))
    return lambda form: pattern().fullmatch(form) is not None


def _normalized(form: str) -> bool:
    return not any(c in form for c in "\r\n\t")


def _token(form: str) -> bool:
    return _normalized(form) and form == form.strip(" ") and "  " not in form


CHECKS: dict[str, Callable[[str], bool]] = {
    **{XSD + name: _integer(bounds) for name, bounds in _INTEGER_RANGES.items()},
    XSD + "decimal": _matches(_DECIMAL), XSD + "float": _matches(_FLOAT), XSD + "double": _matches(_FLOAT),
    XSD + "boolean": _matches(_BOOLEAN), XSD + "dateTime": _dated(_DATE_TIME),
    XSD + "dateTimeStamp": _dated(_DATE_TIME_STAMP), XSD + "date": _dated(_DATE), XSD + "time": _matches(_TIME_ONLY),
    XSD + "hexBinary": _matches(_HEX), XSD + "base64Binary": _matches(_BASE64),
    XSD + "normalizedString": _normalized, XSD + "token": _token,
    XSD + "language": lambda form: _token(form) and _LANGUAGE.fullmatch(form) is not None,
    XSD + "Name": _compiled_when_used(_NAME), XSD + "NCName": _compiled_when_used(_NCNAME),
    XSD + "NMTOKEN": _compiled_when_used(_NMTOKEN),
}


def is_valid(form: str, datatype: str) -> bool:
    """Whether `form` is in the lexical space of `datatype` (True for datatypes this module does not check)."""
    check = CHECKS.get(datatype)
    return check is None or check(form)


def problem(form: str, datatype: str) -> str:
    """The message for an ill-typed literal (owlrl's wording, so both reasoners report alike)."""
    return f"Lexical value of the literal '{form}' does not match its datatype ({datatype})"


def line_of(data: bytes, form: str) -> int | None:
    """The line of the first quoted occurrence of `form` in a file's bytes (1-based), None if it is not written
    there as is (escaped, or in an encoding other than UTF-8)."""
    raw = form.encode()
    for quote in (b'"', b"'", b">"):
        at = data.find(quote + raw + (b"<" if quote == b">" else quote))
        if at >= 0:
            return data.count(b"\n", 0, at) + 1
    at = data.find(raw)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None
