"""The open-data dump: k-anonymity ≥ 5 over municipality × sex × age band × village (tested over
the demo history), nothing identifying, a bilingual dictionary and a licence; the command and the
download page."""
import csv
import io
import zipfile
from collections import defaultdict

from sqlalchemy import func, select

from feedback.compare import opendata
from feedback.compare import views as compare_views
from feedback.db import db
from feedback.ratings.models import Rating


def _combinations(rows):
    people = defaultdict(set)
    for r in rows:
        people[tuple(r[q] for q in opendata.QUASI)].add(r["person"])
    return people


def test_kanonymise_coarsens_village_then_age_then_sex_then_suppresses():
    records = []
    for person in range(6):  # six people in one village: kept as they are
        records.append({"person": person, "municipality_code": "A", "sex": "female", "age_band": "30_44",
                        "village_code": "V1"})
    records.append({"person": 10, "municipality_code": "A", "sex": "female", "age_band": "30_44", "village_code": "V2"})
    for person in range(20, 24):  # four more women, another age band: village and age go, sex stays
        records.append({"person": person, "municipality_code": "A", "sex": "female", "age_band": "60_plus",
                        "village_code": None})
    records.append({"person": 30, "municipality_code": "B", "sex": "male", "age_band": None, "village_code": None})
    released, stats = opendata.kanonymise([dict(r) for r in records])
    assert all(len(who) >= opendata.K for who in _combinations(released).values())
    assert stats["suppressed"] == 1 and all(r["municipality_code"] == "A" for r in released)
    assert sum(1 for r in released if r["village_code"] == "V1") == 6
    assert {r["sex"] for r in released} == {"female"}
    assert stats["coarsened"]["village_code"] == 1


def test_demo_history_dump_is_k_anonymous(app, session, monkeypatch):
    from feedback.scorecards import demo

    # The demo's ratings (a small scale, one year: fast on PostgreSQL too); its state evaluations
    # carry no quasi-identifier and take most of the seeding time, so they are left out here.
    monkeypatch.setattr(demo, "_seed_evaluations", lambda *args: 0)
    counts = demo.seed(years=1, scale=0.03)
    assert db.session.scalar(select(func.count()).select_from(Rating).where(Rating.village_code.is_not(None))) > 0
    for period in counts["periods"]:
        columns, rows, stats = opendata.rating_rows(period)
        assert stats["ratings"] > 300 and stats["released"] + stats["suppressed"] == stats["ratings"] > stats["suppressed"]
        combos = _combinations(rows)
        assert combos and min(len(who) for who in combos.values()) >= opendata.K
        assert stats["coarsened"]["village_code"] > 0  # the demo villages were there, and too few shared them
        for forbidden in ("person", "respondent_id", "address_hash", "client_id", "created_at"):
            assert forbidden not in columns
    # no free text unless a moderator approved it
    approved = set(session.scalars(select(Rating.comment).where(Rating.comment_status == "approved")))
    _columns, rows, _stats = opendata.rating_rows(counts["periods"][-1])
    assert {r["comment"] for r in rows if r["comment"]} <= approved


def test_command_writes_a_documented_zip_and_the_page_serves_it(app, client, known, tmp_path, monkeypatch):
    from tests.compare.conftest import YEAR
    from tests.scorecards.helpers import AK_BULUN, KARAKOL

    path, stats = opendata.dump(YEAR, tmp_path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"ratings.csv", "scorecards.csv", "state_evaluations.csv", "dictionary_ky.md", "dictionary_ru.md",
                "LICENSE.txt"} <= names
        assert "CC BY 4.0" in archive.read("LICENSE.txt").decode()
        assert "ө" in archive.read("dictionary_ky.md").decode() and "Словарь" not in archive.read("dictionary_ky.md").decode()
        ratings = list(csv.DictReader(io.StringIO(archive.read("ratings.csv").decode())))
        assert "respondent_id" not in ratings[0] and "person" not in ratings[0]
        # Ak-Bulun (6 people) and Karakol (8) are released; the two with 2 and 3 people are suppressed
        assert len(ratings) == stats["released"] == 14 and stats["suppressed"] == 5
        assert {r["municipality_code"] for r in ratings} == {AK_BULUN, KARAKOL}
    monkeypatch.setattr(compare_views, "dump_folder", lambda: tmp_path)
    html = client.get("/ky/open-data").get_data(as_text=True)
    assert path.name in html
    response = client.get(f"/ru/open-data/{path.name}")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert client.get("/ru/open-data/..%2Fsecret.zip").status_code == 404
    result = app.test_cli_runner().invoke(args=["opendata", "dump", "--period", str(YEAR), "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / f"feedback-opendata-{YEAR}.zip").exists()


def test_the_dumps_folder_is_configured_for_every_app_server(app, client, known, tmp_path, monkeypatch):
    """FEEDBACK_OPENDATA_DIR (one folder every app server mounts) is where the command writes by default
    and what the page lists and serves; nothing is looked for in the instance folder then."""
    from tests.compare.conftest import YEAR

    shared = tmp_path / "shared"
    monkeypatch.setitem(app.config, "OPENDATA_DIR", str(shared))
    result = app.test_cli_runner().invoke(args=["opendata", "dump", "--period", str(YEAR)])
    assert result.exit_code == 0, result.output
    name = f"feedback-opendata-{YEAR}.zip"
    assert (shared / name).exists()
    assert name in client.get("/ru/open-data").get_data(as_text=True)
    response = client.get(f"/ky/open-data/{name}")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    monkeypatch.setitem(app.config, "OPENDATA_DIR", str(tmp_path / "elsewhere"))
    assert name not in client.get("/ru/open-data").get_data(as_text=True)
    assert client.get(f"/ky/open-data/{name}").status_code == 404
