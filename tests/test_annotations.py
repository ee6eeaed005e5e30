"""Statements as W3C Web Annotations (issue 13): the selectors' data checked against the article.

Every statement of data/belenko.ttl stores what a TextQuoteSelector needs: hk:quote (exact), hk:quoteOffset (where
it starts), hk:quotePrefix / hk:quoteSuffix (the words right before / after it). Each is checked against the
vendored article: exact occurs at the offset, the prefix ends where it starts, the suffix begins where it ends.
"""

from __future__ import annotations

import rdflib
from rdflib import RDF, XSD, Namespace

from tests.conftest import ARTICLE, ROOT

HK = Namespace("https://histkg.example.org/ontology#")
DATA = ROOT / "data" / "belenko.ttl"


def test_every_selector_matches_the_article() -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    data = rdflib.Graph().parse(DATA, format="turtle")
    statements = set(data.subjects(RDF.type, HK.Statement))
    assert len(statements) >= 300
    for st in statements:
        exact = str(data.value(st, HK.quote))
        offset = data.value(st, HK.quoteOffset).toPython()  # type: ignore[union-attr]
        prefix, suffix = data.value(st, HK.quotePrefix), data.value(st, HK.quoteSuffix)
        assert article[offset:offset + len(exact)] == exact, st
        assert prefix is not None or offset == 0, f"{st}: no prefix, yet the quote does not open the text"
        assert suffix is not None or offset + len(exact) == len(article), f"{st}: no suffix"
        for value in (prefix, suffix):
            assert value is not None and value.datatype in (None, XSD.string) and str(value).strip(), st
        assert article[offset - len(prefix):offset] == str(prefix), st  # type: ignore[arg-type]
        assert article[offset + len(exact):offset + len(exact) + len(suffix)] == str(suffix), st  # type: ignore[arg-type]
        # a few words: enough to tell repeated quotes apart, no more
        assert 1 <= len(str(prefix).split()) <= 12 and 1 <= len(str(suffix).split()) <= 12, st
        # exact + its context is unique in the article, so an annotation anchors in exactly one place
        assert article.count(str(prefix) + exact + str(suffix)) == 1, st
