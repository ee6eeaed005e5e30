"""The XML Schema lexical spaces (service.rdf.xsd) that decide ill-typed literals, and the load refusing one with
its file and line.

Forms come from XML Schema 1.1 Part 2's grammar and from the literals of the W3C SPARQL 1.1 cast tests (data of
`cast-*`: `0E1`, `.5E-3`, `-10.2E3`, `+33.3300`, ...) and the RDF 1.1 Turtle tests (`1.0e0`, `-5`, `.1`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import DataFileError
from service.rdf.loading import load_files
from service.rdf.xsd import XSD, is_valid

VALID = {
    "double": ["0E1", "1E0", "1.0e0", ".5E-3", "-10.2E3", "+33.3300", "1.", ".1", "INF", "-INF", "+INF", "NaN",
               "0", "-0", "1e+10", "007", "1.7976931348623157E309"],
    "float": ["0E1", "1.5e3", "-INF", "NaN", "3.4028235E39", "+0.0"],
    "decimal": ["1", "-1.23", "+100000.00", "210", ".5", "5.", "0001", "-.0"],
    "integer": ["0", "-0", "+7", "0012", "123456789012345678901234567890"],
    "nonNegativeInteger": ["0", "+0", "-0", "5"], "positiveInteger": ["1", "+0001"],
    "nonPositiveInteger": ["0", "-0", "-5"], "negativeInteger": ["-1"],
    "long": ["9223372036854775807", "-9223372036854775808"], "int": ["2147483647", "-2147483648"],
    "short": ["32767", "-32768"], "byte": ["127", "-128"], "unsignedLong": ["18446744073709551615"],
    "unsignedInt": ["4294967295"], "unsignedShort": ["65535"], "unsignedByte": ["255", "+0"],
    "boolean": ["true", "false", "1", "0"],
    "dateTime": ["2002-10-10T12:00:00-05:00", "2002-10-10T17:00:00Z", "2002-10-10T12:00:00",
                 "2002-10-10T12:00:00.123456789", "-0044-03-15T12:00:00", "12345-01-01T00:00:00",
                 "2000-02-29T24:00:00", "0000-01-01T00:00:00+14:00"],
    "dateTimeStamp": ["2002-10-10T12:00:00Z", "2002-10-10T12:00:00-13:59"],
    "date": ["2002-10-10", "2002-10-10Z", "2002-10-10+02:00", "2000-02-29", "-0001-12-31"],
    "time": ["13:20:00", "13:20:00.5Z", "24:00:00", "00:00:00-05:00"],
    "hexBinary": ["", "0FB7", "0fb7"], "base64Binary": ["", "AAAA", "YWJj", "YQ==", "YWI=", "YW Jj"],
    "language": ["en", "en-GB", "zh-Hant-TW", "x-private1"], "token": ["a b", ""],
    "normalizedString": [" a  b "], "Name": ["a", "_x", "a:b", "a-1.b", "été"], "NCName": ["a", "a-b"],
    "NMTOKEN": ["-1", "a:b"], "string": ["anything\nat all"], "anyURI": ["not a uri but allowed"],
}
INVALID = {
    "double": ["", " 1", "1 ", "E1", "1E", "1.0E1.5", "inf", "+NaN", "0x10", "1_000", "1,5", "\u0661"],
    "float": ["e5", "--1", "Infinity"],
    "decimal": ["abc", "1E0", "", ".", "+", "1.2.3", "INF", " 1"],
    "integer": ["x", "1.0", "", "+", "1e3", " 12", "1_0", "\u0661\u0662"],
    "nonNegativeInteger": ["-1"], "positiveInteger": ["0", "-0"], "nonPositiveInteger": ["1"],
    "negativeInteger": ["0", "-0"], "long": ["9223372036854775808"], "int": ["2147483648"],
    "short": ["32768"], "byte": ["128", "-129"], "unsignedLong": ["-1", "18446744073709551616"],
    "unsignedInt": ["4294967296"], "unsignedShort": ["65536"], "unsignedByte": ["256", "-1"],
    "boolean": ["maybe", "TRUE", "True", "yes", " true", ""],
    "dateTime": ["2002-10-10", "2002-10-10T12:00", "2002-02-30T00:00:00", "2001-02-29T00:00:00",
                 "2002-13-01T00:00:00", "2002-10-10T24:00:01", "2002-10-10T12:00:00+15:00", "02-10-10T12:00:00",
                 "2002-10-10 12:00:00", "00002-10-10T12:00:00"],
    "dateTimeStamp": ["2002-10-10T12:00:00"],
    "date": ["2002-10-10T00:00:00", "2002-1-1", "2002-04-31", "1900-02-29", "20021010"],
    "time": ["25:00:00", "13:20", "13:60:00", "24:00:00.1"],
    "hexBinary": ["0", "0G", "0x00"], "base64Binary": ["A", "YQ=", "Y===", "YQ==YQ=="],
    "language": ["", "en_GB", "toolonglang", "-en"], "token": [" a", "a ", "a  b", "a\tb"],
    "normalizedString": ["a\nb"], "Name": ["1a", "-a", ""], "NCName": ["a:b"], "NMTOKEN": ["", "a b"],
}


@pytest.mark.parametrize(("datatype", "form"), [(d, f) for d, forms in VALID.items() for f in forms])
def test_valid_forms_are_accepted(datatype: str, form: str) -> None:
    assert is_valid(form, XSD + datatype)


@pytest.mark.parametrize(("datatype", "form"), [(d, f) for d, forms in INVALID.items() for f in forms])
def test_invalid_forms_are_refused(datatype: str, form: str) -> None:
    assert not is_valid(form, XSD + datatype)


def test_unchecked_datatypes_accept_everything() -> None:
    assert is_valid("<not xml", "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral")
    assert is_valid("whatever", "https://example.org/myDatatype")


@pytest.mark.parametrize(("suffix", "text", "line"), [
    (".ttl", '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n<s> <p> "1" .\n<s> <p> "1.5"^^xsd:integer .\n',
     4),
    (".nt", '<http://e/s> <http://e/p> "x" .\n<http://e/s> <http://e/q> "maybe"^^'
     '<http://www.w3.org/2001/XMLSchema#boolean> .\n', 2),
    (".rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
     '<rdf:Description rdf:about="http://e/s">\n<p:v xmlns:p="http://e/" rdf:datatype='
     '"http://www.w3.org/2001/XMLSchema#date">2001-02-29</p:v>\n</rdf:Description>\n</rdf:RDF>\n', 4),
])
def test_the_load_names_file_and_line_of_an_ill_typed_literal(tmp_path: Path, suffix: str, text: str,
                                                              line: int) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_files([], [path])
    assert caught.value.line == line and caught.value.path == str(path)
    assert "does not match its datatype" in str(caught.value) and str(caught.value).startswith(f"{path}:{line}:")


def test_valid_numbers_in_every_form_load(tmp_path: Path) -> None:
    path = tmp_path / "numbers.ttl"
    path.write_text('@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/s> <http://e/p> 0E1, 1E0, '
                    '"0E1"^^xsd:float, ".5E-3"^^xsd:double, "+INF"^^xsd:float, "1."^^xsd:decimal, .5 .\n',
                    encoding="utf-8")
    assert len(load_files([], [path]).facts) == 7
