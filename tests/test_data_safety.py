"""Data files are parsed without reaching out: remote JSON-LD contexts and RDF/XML entity declarations are refused
with a clear DataFileError; `serve`, `check` and `export` stop on bad data with one message and exit code 2, and
leave no half-written output behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.errors import DataFileError
from service.rdf.loading import parse_file

PASSWD_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><e:p>&secret;</e:p></rdf:Description>
</rdf:RDF>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><e:p>&lol2;</e:p></rdf:Description>
</rdf:RDF>
"""


@pytest.fixture()
def listener() -> Iterator[tuple[socket.socket, int]]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server, server.getsockname()[1]
    server.close()


def connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def test_remote_jsonld_context_on_a_local_listener_is_refused_and_never_contacted(
        tmp_path: Path, listener: tuple[socket.socket, int]) -> None:
    server, port = listener
    document = tmp_path / "remote.jsonld"
    document.write_text(f'{{"@context": "http://127.0.0.1:{port}/context.jsonld", "@id": "http://example.org/a", '
                        '"name": "A"}')
    with pytest.raises(DataFileError, match="remote context") as caught:
        parse_file(document)
    assert str(document) in str(caught.value)
    assert connections(server) == 0


@pytest.mark.parametrize("text", [PASSWD_ENTITY, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_rdfxml_entity_declarations_are_refused(tmp_path: Path, text: str) -> None:
    document = tmp_path / "entities.rdf"
    document.write_text(text)
    with pytest.raises(DataFileError, match="DOCTYPE declaration is refused") as caught:
        parse_file(document)
    assert caught.value.line == 2
    assert "root:" not in str(caught.value)


def test_rdfxml_entity_declarations_in_utf16_are_refused(tmp_path: Path) -> None:
    document = tmp_path / "entities.rdf"
    document.write_bytes(PASSWD_ENTITY.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
                         .encode("utf-16"))
    with pytest.raises(DataFileError, match="refused"):
        parse_file(document)


def test_plain_rdfxml_still_loads(tmp_path: Path) -> None:
    document = tmp_path / "plain.rdf"
    document.write_text(PASSWD_ENTITY.splitlines()[0] + "\n" + "\n".join(PASSWD_ENTITY.splitlines()[2:])
                        .replace("&secret;", "plain"))
    quads = parse_file(document)
    assert [q.object.value for q in quads] == ["plain"]


# --- the commands stop on bad data: one line, exit code 2 -------------------------------------------------------
def histkg(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HISTKG_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


BAD_FILES = {
    "missing": (None, "no such file"),
    "malformed.ttl": ("@prefix e: <http://example.org/> .\ne:a e:p e:b .\ne:c e:p \"unterminated .\n", ":3"),
    "entities.rdf": (PASSWD_ENTITY, "DOCTYPE declaration is refused"),
}


@pytest.mark.parametrize("command", ["serve", "check", "export"])
@pytest.mark.parametrize("bad", sorted(BAD_FILES))
def test_commands_stop_on_bad_data_with_one_message(tmp_path: Path, command: str, bad: str) -> None:
    text, expected = BAD_FILES[bad]
    path = tmp_path / (bad if text is not None else "absent.ttl")
    if text is not None:
        path.write_text(text)
    extra = ["--port", "1"] if command == "serve" else ["-o", str(tmp_path / "out.ttl")] if command == "export" else []
    done = histkg(command, "--data", str(path), *extra, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("histkg: error: ") and str(path) in lines[0], done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name] if text is not None else [])


def test_inconsistent_data_stops_serve(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "inconsistent.ttl"
    done = histkg("serve", "--data", str(data), "--port", "1", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("histkg: error: the data is inconsistent")
    assert "Traceback" not in done.stderr
