"""The HTML result table of /sparql: IRIs link to their pages, and only http(s) IRIs link anywhere."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

HTML = {"Accept": "text/html"}


def test_result_links_are_safe(client: FlaskClient) -> None:
    query = ('SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <https://histkg.example.org/id/japan> '
             '<https://example.org/elsewhere> <file:///etc/passwd> } }')
    response = client.get("/sparql", query_string={"query": query}, headers=HTML)
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    cells = soup.select("table.results td")
    assert len(cells) == 4
    hrefs = {a["href"] for a in soup.select("table.results a[href]")}
    assert hrefs == {"/id/japan", "https://example.org/elsewhere"}
    assert "javascript:alert(1)" in soup.select_one("table.results").get_text(), "shown, but not linked"
