"""Finding work under `dipforms run`: the search secret is made in the data folder (mode
0600) and keys the person's words across restarts, so a case opened before a restart is
still found by its surname after it; the store holds no plain surname in its lists."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing

import pytest

from tests.examples import load_examples
from tests.local_run import LocalRun

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
pytestmark = pytest.mark.slow


def test_a_served_case_is_found_by_surname_before_and_after_a_restart(tmp_path):
    with LocalRun(tmp_path) as run:
        police = run.user_token("pc_jones", "police", "northshire_police")
        status, body = run.submit("mg14", {**MG14, "surname": "Smith"}, police)
        assert status == 201, body
        ref = body["case"]
        status, found = run.request("GET", "/v1/cases?q=smith", token=police)
        assert status == 200 and [c["ref"] for c in found["cases"]] == [ref]
    secret = tmp_path / "search-secret"
    assert secret.is_file() and not secret.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    with LocalRun(tmp_path) as run:
        police = run.cli("token", "--user", "pc_jones")
        status, found = run.request("GET", "/v1/cases?q=SMITH", token=police)
        assert status == 200 and [c["ref"] for c in found["cases"]] == [ref]
        status, due = run.request("GET", "/v1/due", token=police)
        assert status == 200 and "today" in due
    with closing(sqlite3.connect(tmp_path / "dipforms.sqlite3")) as connection:
        terms = [row[0] for row in connection.execute("SELECT term FROM case_terms")]
        listed = connection.execute("SELECT * FROM case_index").fetchall()
    assert terms and not any("smith" in t.lower() for t in terms)
    assert not any("smith" in str(row).lower() for row in listed)
