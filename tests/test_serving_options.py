"""gunicorn options of `histkg serve`: no access log unless asked for (it costs about a third of the throughput on
cached answers, bench/results.md), and the flag that turns it on."""

from __future__ import annotations

from click.testing import CliRunner
from flask import Flask

from service.cli import main
from service.web.serving import THREADS, granian_options, options


def test_no_access_log_by_default(app: Flask) -> None:
    assert options(app, "127.0.0.1", 5000, 2)["accesslog"] is None


def test_access_log_on_request(app: Flask) -> None:
    assert options(app, "127.0.0.1", 5000, 2, access_log=True)["accesslog"] == "-"


def test_serve_offers_the_access_log_flag() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "--access-log" in result.output


def test_granian_serves_like_gunicorn_gthread() -> None:
    """Same shape: worker processes x THREADS threads, no access log unless asked for."""
    quiet, logged = granian_options("127.0.0.1", 5000, 2), granian_options("127.0.0.1", 5000, 2, access_log=True)
    assert quiet["workers"] == 2 and quiet["blocking_threads"] == THREADS
    assert quiet["log_access"] is False and logged["log_access"] is True


def test_serve_runs_granian_by_default() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "[default: granian]" in " ".join(result.output.split())
