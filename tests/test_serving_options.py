"""gunicorn options of `histkg serve`: no access log unless asked for (it costs about a third of the throughput on
cached answers, bench/results.md), and the flag that turns it on."""

from __future__ import annotations

from click.testing import CliRunner
from flask import Flask

from service.cli import main
from service.web.serving import options


def test_no_access_log_by_default(app: Flask) -> None:
    assert options(app, "127.0.0.1", 5000, 2)["accesslog"] is None


def test_access_log_on_request(app: Flask) -> None:
    assert options(app, "127.0.0.1", 5000, 2, access_log=True)["accesslog"] == "-"


def test_serve_offers_the_access_log_flag() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "--access-log" in result.output
