"""Loading the catalog: counts, idempotence, validation (a bad file changes nothing), queries."""
import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedback.catalog.models import Agency, Criterion, CriterionLevel, StateIndicator, Subject, TransparencyItem
from feedback.catalog.queries import citizen_subjects, full_catalog
from feedback.catalog.services import DATA_DIR, load_catalog
from feedback.datafiles import DataFileError

MODELS = (Agency, Subject, Criterion, CriterionLevel, StateIndicator, TransparencyItem)


def counts(session) -> dict:
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in MODELS}


def snapshot(session) -> tuple:
    session.expire_all()
    water = session.get(Subject, "LI-WATER")
    return counts(session), water.name_ru, water.name_ky, water.applies_to, session.get(Agency, "MOD").name_ru


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    """A copy of the shipped catalog folder that a test may break."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "catalog"))


def edit(folder: Path, filename: str, change) -> None:
    """Rewrite one CSV file of ``folder`` after ``change(rows)`` edited its list of row dicts."""
    path = folder / filename
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fieldnames, rows = reader.fieldnames, list(reader)
    change(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def set_field(index: int, column: str, value: str):
    def change(rows):
        rows[index][column] = value
    return change


# --- the shipped catalog -------------------------------------------------------------------------

def test_subject_counts(session):
    rows = dict(session.execute(select(Subject.kind, func.count()).group_by(Subject.kind)).all())
    assert rows == {"local_issue": 20, "municipal_service": 17, "delegated_power": 12}


def test_counts(session):
    assert counts(session) == {"Agency": 12, "Subject": 49, "Criterion": 6, "CriterionLevel": 30,
                               "StateIndicator": 6, "TransparencyItem": 19}


def test_every_criterion_has_five_anchored_levels(session):
    for criterion in session.scalars(select(Criterion)):
        assert [lv.level for lv in criterion.levels] == [1, 2, 3, 4, 5], criterion.code
        assert all(lv.description_ru and lv.description_ky for lv in criterion.levels)
        assert criterion.question_ru and criterion.question_ky


def test_criteria(session):
    assert session.get(Criterion, "CR-RESULT").applies_to == "both"
    assert session.get(Criterion, "CR-STAFF").applies_to == "municipal_service"
    first = session.get(Criterion, "CR-RESULT").levels[0]
    assert first.description_ru.startswith("Ничего не сделано")
    assert first.description_ky.startswith("Эч нерсе жасалган жок")


def test_state_indicators(session):
    indicators = {i.code: i for i in session.scalars(select(StateIndicator))}
    assert len(indicators) == 6
    assert indicators["SI-FUNDING"].counts_toward_lsg_score is False
    assert indicators["SI-METHOD"].counts_toward_lsg_score is False
    others = [i for code, i in indicators.items() if code not in ("SI-FUNDING", "SI-METHOD")]
    assert len(others) == 4 and all(i.counts_toward_lsg_score is True for i in others)
    assert indicators["SI-FUNDING"].scale == "yes/partial/no"
    assert indicators["SI-EXECUTION"].scale == "1-5"


def test_checklist(session):
    items = session.scalars(select(TransparencyItem).order_by(TransparencyItem.position)).all()
    assert len(items) == 19
    assert items[0].code == "BT-1-01"
    assert items[0].area == 1 and items[0].weight == 15
    assert items[0].answer_scale == "yes=100|partial=50|no=0"
    assert {i.area for i in items} == {1, 2, 3}


def test_delegated_powers_have_agencies(session):
    powers = session.scalars(select(Subject).where(Subject.kind == "delegated_power")).all()
    assert len(powers) == 12
    assert all(p.agency is not None for p in powers)
    assert session.get(Subject, "DP-MILITARY").agency_code == "MOD"
    assert all(p.rated_by_citizens is False for p in powers)


def test_subjects_are_bilingual(session):
    water = session.get(Subject, "LI-WATER")
    assert (water.name_ru, water.name_ky) == ("Питьевая вода", "Ичүүчү суу")
    assert water.name("ky") == "Ичүүчү суу" and water.name("ru") == "Питьевая вода"
    assert water.rated_by_citizens
    for subject in session.scalars(select(Subject)):
        assert subject.name_ky and subject.name_ru and subject.description_ky and subject.description_ru


def test_subject_order_follows_the_files(session):
    codes = [s.code for s in full_catalog().subjects]
    assert codes[0] == "LI-WATER"
    assert codes[19] == "LI-PARTICIPATION"
    assert codes[20] == "MS-INFO"
    assert codes[37] == "DP-CIVREG"


def test_second_load_changes_nothing(session):
    before = snapshot(session)
    report = load_catalog()
    assert set(report.counts) == {"agencies", "subjects", "criteria", "criterion levels", "state indicators",
                                  "transparency checklist"}
    for kind, counter in report.counts.items():
        assert counter["added"] == 0 and counter["changed"] == 0, kind
    assert report.counts["subjects"]["unchanged"] == 49
    assert report.counts["criterion levels"]["unchanged"] == 30
    assert not report.changed_anything
    assert snapshot(session) == before


def test_load_updates_a_changed_row(session, catalog_dir):
    edit(catalog_dir, "local_issues.csv", set_field(0, "name_ru", "Питьевая вода (новое)"))
    edit(catalog_dir, "criteria.csv", set_field(0, "level3_ky", "Жаңы сүрөттөмө"))
    report = load_catalog(catalog_dir)
    assert report.counts["subjects"]["changed"] == 1
    assert report.counts["criterion levels"]["changed"] == 1
    assert report.counts["subjects"]["added"] == 0
    assert session.get(Subject, "LI-WATER").name_ru == "Питьевая вода (новое)"
    assert session.get(CriterionLevel, ("CR-RESULT", 3)).description_ky == "Жаңы сүрөттөмө"
    assert counts(session)["Subject"] == 49


def test_load_adds_a_new_subject(session, catalog_dir):
    def add(rows):
        rows.append({**rows[0], "code": "LI-NEW", "name_ru": "Новое", "name_ky": "Жаңы"})
    edit(catalog_dir, "local_issues.csv", add)
    report = load_catalog(catalog_dir)
    assert report.counts["subjects"]["added"] == 1
    assert session.get(Subject, "LI-NEW").kind == "local_issue"


# --- malformed catalogs --------------------------------------------------------------------------

@pytest.mark.parametrize("filename, index, column, value, reason", [
    ("local_issues.csv", 4, "applies_to", "village", "applies_to"),
    ("municipal_services.csv", 2, "applies_to", "", "empty value"),
    ("delegated_powers.csv", 3, "agency_code", "NOPE", "unknown agency NOPE"),
    ("criteria.csv", 1, "applies_to", "delegated_power", "applies_to"),
    ("criteria.csv", 2, "level4_ky", "", "level4_ky"),
    ("state_indicators.csv", 5, "counts_toward_lsg_score", "maybe", "yes or no"),
    ("state_indicators.csv", 0, "scale", "1-10", "scale"),
    ("budget_transparency.csv", 3, "weight", "ten", "whole numbers"),
    ("budget_transparency.csv", 4, "answer_scale", "yes=100;no=0", "answer_scale"),
    ("agencies.csv", 0, "name_ky", "", "empty value"),
])
def test_malformed_row_changes_nothing(session, catalog_dir, filename, index, column, value, reason):
    before = snapshot(session)
    # a valid change elsewhere in the folder, which must not be written either
    edit(catalog_dir, "local_issues.csv", set_field(0, "name_ru", "Не должно сохраниться"))
    edit(catalog_dir, filename, set_field(index, column, value))
    with pytest.raises(DataFileError) as excinfo:
        load_catalog(catalog_dir)
    problems = excinfo.value.problems
    path = str(catalog_dir / filename)
    line = index + 2  # the header is line 1
    matching = [p for p in problems if p.file == path and p.line == line]
    assert matching, [str(p) for p in problems]
    assert reason in matching[0].reason
    assert f"{path}:{line}:" in str(excinfo.value)
    assert snapshot(session) == before


def test_duplicate_code_in_one_file(session, catalog_dir):
    before = snapshot(session)
    edit(catalog_dir, "local_issues.csv", set_field(5, "code", "LI-WATER"))
    with pytest.raises(DataFileError) as excinfo:
        load_catalog(catalog_dir)
    path = str(catalog_dir / "local_issues.csv")
    assert any(p.file == path and p.line == 7 and "LI-WATER" in p.reason and "twice" in p.reason
               for p in excinfo.value.problems)
    assert snapshot(session) == before


def test_duplicate_code_across_files(session, catalog_dir):
    edit(catalog_dir, "municipal_services.csv", set_field(0, "code", "LI-ROADS"))
    with pytest.raises(DataFileError) as excinfo:
        load_catalog(catalog_dir)
    path = str(catalog_dir / "municipal_services.csv")
    assert any(p.file == path and p.line == 2 and "twice" in p.reason for p in excinfo.value.problems)


def test_unknown_agency_after_the_agency_was_removed(session, catalog_dir):
    edit(catalog_dir, "agencies.csv", lambda rows: rows.remove(next(r for r in rows if r["code"] == "MOD")))
    with pytest.raises(DataFileError) as excinfo:
        load_catalog(catalog_dir)
    path = str(catalog_dir / "delegated_powers.csv")
    assert any(p.file == path and p.line == 3 and "MOD" in p.reason for p in excinfo.value.problems)


def test_missing_file(session, catalog_dir):
    (catalog_dir / "criteria.csv").unlink()
    before = snapshot(session)
    with pytest.raises(DataFileError) as excinfo:
        load_catalog(catalog_dir)
    assert any(p.file == str(catalog_dir / "criteria.csv") and "cannot be read" in p.reason
               for p in excinfo.value.problems)
    assert snapshot(session) == before


def test_missing_column(session, catalog_dir):
    path = catalog_dir / "local_issues.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("applies_to", "applies")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as excinfo:
        load_catalog(catalog_dir)
    assert any(p.file == str(path) and p.line == 1 and "applies_to" in p.reason for p in excinfo.value.problems)


def test_several_problems_reported_together(session, catalog_dir):
    edit(catalog_dir, "local_issues.csv", set_field(1, "applies_to", "everywhere"))
    edit(catalog_dir, "delegated_powers.csv", set_field(0, "agency_code", "XYZ"))
    with pytest.raises(DataFileError) as excinfo:
        load_catalog(catalog_dir)
    where = {(Path(p.file).name, p.line) for p in excinfo.value.problems}
    assert {("local_issues.csv", 3), ("delegated_powers.csv", 2)} <= where


# --- queries -------------------------------------------------------------------------------------

def test_citizen_subjects_of_a_city(session):
    subjects = citizen_subjects("city")
    codes = {s.code for s in subjects}
    assert len(subjects) == 33
    assert all(s.kind != "delegated_power" for s in subjects)
    assert all(s.applies_to in ("city", "both") for s in subjects)
    assert {"LI-PASTURE", "LI-IRRIGATION", "MS-HOUSEBOOK", "MS-LANDLEASE"}.isdisjoint(codes)
    assert {"LI-WATER", "MS-BUILDPERMIT"} <= codes


def test_citizen_subjects_of_an_aiyl_aimak(session):
    subjects = citizen_subjects("aiyl_aimak")
    codes = {s.code for s in subjects}
    assert len(subjects) == 36
    assert "MS-BUILDPERMIT" not in codes
    assert {"LI-PASTURE", "LI-IRRIGATION", "MS-HOUSEBOOK", "LI-WATER"} <= codes
    assert not any(code.startswith("DP-") for code in codes)


def test_citizen_subjects_are_ordered_and_skip_retired(session):
    subjects = citizen_subjects("aiyl_aimak")
    positions = [s.position for s in subjects]
    assert positions == sorted(positions)
    assert subjects[0].code == "LI-WATER"
    assert subjects[-1].kind == "municipal_service"
    session.get(Subject, "LI-WATER").retired = True
    session.flush()
    assert "LI-WATER" not in {s.code for s in citizen_subjects("aiyl_aimak")}


def test_full_catalog(session):
    catalog = full_catalog()
    assert (len(catalog.subjects), len(catalog.criteria), len(catalog.indicators), len(catalog.checklist),
            len(catalog.agencies)) == (49, 6, 6, 19, 12)
    assert [c.code for c in catalog.criteria][0] == "CR-RESULT"


def test_criterion_applies_to_subject(session):
    staff = session.get(Criterion, "CR-STAFF")
    result = session.get(Criterion, "CR-RESULT")
    service = session.get(Subject, "MS-INFO")
    issue = session.get(Subject, "LI-WATER")
    assert staff.applies_to_subject(service) and not staff.applies_to_subject(issue)
    assert result.applies_to_subject(service) and result.applies_to_subject(issue)


# --- the command line ----------------------------------------------------------------------------

def test_cli_catalog_load(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["catalog", "load"])
    assert result.exit_code == 0, result.output
    assert "subjects: 0 added, 0 changed, 49 unchanged" in result.output


def test_cli_malformed_catalog(app, session, catalog_dir):
    before = snapshot(session)
    edit(catalog_dir, "delegated_powers.csv", set_field(3, "agency_code", "NOPE"))
    result = app.test_cli_runner().invoke(args=["catalog", "load", "--data-dir", str(catalog_dir)])
    assert result.exit_code != 0
    assert f"{catalog_dir / 'delegated_powers.csv'}:5:" in result.output
    assert snapshot(session) == before
