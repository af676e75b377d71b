"""Loading the territorial registry: counts, names, idempotence, validation, merges, the CLI."""
import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedback.datafiles import DataFileError
from feedback.territory.models import District, Municipality, Region, Village
from feedback.territory.search import search_municipalities
from feedback.territory.services import DATA_DIR, RegistryFiles, load_registry

AK_BULUN = "41702205805000"
BERYU_BASH = "41702205807000"
AK_SUU = "41702205000000"
KARAKOL = "41702410000010"
BISHKEK = "41711000000000"
OSH = "41721000000000"
KOK_JANGAK = "41703220400010"
NEW_AIMAK = "41702205899000"
MERGE_DATE = dt.date(2024, 12, 27)
REGISTRY = DATA_DIR / "kg_soate_2021_pre_reform.csv"
MODELS = (Region, District, Municipality, Village)


def counts(session) -> dict:
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in MODELS}


def snapshot(session) -> tuple:
    """Enough of the database to see whether a failed load changed anything."""
    session.expire_all()
    ak = session.get(Municipality, AK_BULUN)
    village = session.get(Village, "41702205805040")
    return (counts(session), ak.name_ru, ak.name_ky, ak.valid_to, ak.successor_code,
            village.name_ky, village.municipality_code)


def read_registry(path: Path = REGISTRY) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def write_registry(path: Path, fieldnames, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def corrupt_line(tmp_path: Path, line: int, column: str, value: str) -> Path:
    """A copy of the shipped registry with one field of one line (1 = the header) changed."""
    fieldnames, rows = read_registry()
    rows[line - 2][column] = value
    return write_registry(tmp_path / "registry.csv", fieldnames, rows)


# --- the shipped registry ------------------------------------------------------------------------

def test_counts_after_load(session):
    assert counts(session) == {"Region": 9, "District": 53, "Municipality": 484, "Village": 1855}


def test_municipality_kinds(session):
    rows = dict(session.execute(select(Municipality.kind, func.count()).group_by(Municipality.kind)).all())
    assert rows == {"aiyl_aimak": 453, "city": 31}


def test_region_and_district_kinds(session):
    assert dict(session.execute(select(Region.kind, func.count()).group_by(Region.kind)).all()) == \
        {"oblast": 7, "city_republican": 2}
    assert dict(session.execute(select(District.kind, func.count()).group_by(District.kind)).all()) == \
        {"raion": 40, "city": 13}


def test_all_units_are_current_after_first_load(session):
    for model in MODELS:
        assert session.scalar(select(func.count()).select_from(model).where(model.valid_to.is_not(None))) == 0
    assert session.scalar(select(func.count()).select_from(Municipality)
                          .where(Municipality.successor_code.is_not(None))) == 0


def test_second_load_changes_nothing(session):
    before = snapshot(session)
    report = load_registry()
    assert set(report.counts) == {"regions", "districts", "municipalities", "villages"}
    for kind, counter in report.counts.items():
        assert counter["added"] == 0, kind
        assert counter["changed"] == 0, kind
    assert report.counts["municipalities"]["unchanged"] == 484
    assert report.counts["villages"]["unchanged"] == 1855
    assert report.changed_anything is False
    assert "municipalities: 0 added, 0 changed, 484 unchanged" in report.lines()
    assert snapshot(session) == before


def test_second_load_repairs_a_changed_name(session):
    session.get(Municipality, AK_BULUN).name_ky = "wrong"
    session.flush()
    report = load_registry()
    assert report.counts["municipalities"]["changed"] == 1
    assert report.counts["municipalities"]["added"] == 0
    assert session.get(Municipality, AK_BULUN).name_ky == "Ак-Булуң айыл аймагы"


def test_ak_bulun(session):
    m = session.get(Municipality, AK_BULUN)
    assert m.kind == "aiyl_aimak"
    assert m.name_ky == "Ак-Булуң айыл аймагы"
    assert m.name_ru == "Ак-Булунский айылный аймак"
    assert m.short_name_ky == "Ак-Булуң"
    assert m.short_name_ru == "Ак-Булун"
    assert m.district_code == AK_SUU
    assert m.region_code == "41702000000000"
    assert m.name_ky_derived is True  # medium confidence in kg_names_ky.csv
    assert m.name_ky_method == "rule:R18"
    assert {(v.name_ru, v.name_ky) for v in m.villages} == {
        ("Ак-Булак", "Ак-Булак"), ("Ак-Булун", "Ак-Булуң"), ("Токтогул", "Токтогул"), ("Тюрген", "Түргөн")}


def test_ak_suu_district(session):
    d = session.get(District, AK_SUU)
    assert d.name_ru == "Ак-Суйский район"
    assert d.name_ky == "Ак-Суу району"
    assert d.kind == "raion"
    assert d.region_code == "41702000000000"


def test_issyk_kul_region(session):
    r = session.get(Region, "41702000000000")
    assert r.name_ru == "Иссык-Кульская область"
    assert r.name_ky == "Ысык-Көл облусу"
    assert r.iso_code == "KG-Y"
    assert r.population == 554296


def test_karakol_city(session):
    m = session.get(Municipality, KARAKOL)
    assert m.kind == "city"
    assert m.name_ky == "Каракол шаары"
    assert m.name_ru == "город Каракол"
    assert m.district_code == KARAKOL
    assert m.region_code == "41702000000000"
    assert m.name_ky_derived is False
    district = session.get(District, KARAKOL)
    assert district.kind == "city"
    assert district.name_ky == "Каракол шаары"
    assert district.name_ru == "город Каракол"


def test_kok_jangak_is_a_district_level_city(session):
    m = session.get(Municipality, KOK_JANGAK)
    assert m.kind == "city"
    assert m.district_code == KOK_JANGAK
    assert m.region_code == "41703000000000"
    assert session.get(District, KOK_JANGAK).kind == "city"


@pytest.mark.parametrize("code, name_ru, name_ky", [
    (BISHKEK, "город Бишкек", "Бишкек шаары"),
    (OSH, "город Ош", "Ош шаары"),
])
def test_republican_cities(session, code, name_ru, name_ky):
    m = session.get(Municipality, code)
    assert m.kind == "city"
    assert m.district_code is None
    assert m.region_code == code
    assert (m.name_ru, m.name_ky) == (name_ru, name_ky)
    region = session.get(Region, code)
    assert region.kind == "city_republican"
    assert (region.name_ru, region.name_ky) == (name_ru, name_ky)


def test_skipped_units_are_not_loaded(session):
    # Bishkek's city districts and the duplicate Osh entry are not local self-government units.
    fieldnames, rows = read_registry()
    skipped = [r["soate"] for r in rows if r["kind_derived"] in (
        "city_district_bishkek", "odd_entry_osh_city_self", "village_under_city", "urban_type_settlement_pgt")]
    assert skipped
    for code in skipped:
        assert all(session.get(model, code) is None for model in MODELS), code


def test_hierarchy_is_consistent(session):
    mismatched = session.scalars(
        select(Municipality.code).join(District, Municipality.district_code == District.code)
        .where(District.region_code != Municipality.region_code)
    ).all()
    assert mismatched == []
    assert session.scalar(select(func.count()).select_from(Municipality)
                          .where(Municipality.district_code.is_(None))) == 2


def test_kyrgyz_names_come_from_the_names_file(session):
    with open(DATA_DIR / "kg_names_ky.csv", newline="", encoding="utf-8") as fh:
        names = {row["soate"]: row for row in csv.DictReader(fh)}
    with open(DATA_DIR / "name_corrections.csv", newline="", encoding="utf-8") as fh:
        corrected = {row["soate"] for row in csv.DictReader(fh)}
    municipalities = session.scalars(select(Municipality)).all()
    villages = session.scalars(select(Village)).all()
    assert len(municipalities) + len(villages) == len(names)
    municipalities = [m for m in municipalities if m.code not in corrected]
    villages = [v for v in villages if v.code not in corrected]
    for m in municipalities:
        row = names[m.code]
        assert m.name_ky == row["name_ky_full"], m.code
        assert m.short_name_ky == row["name_ky"], m.code
        assert m.name_ky_derived is (row["confidence"] != "high"), m.code
        assert m.name_ky_method == row["method"][:200]
    for v in villages:
        row = names[v.code]
        assert v.name_ky == row["name_ky"], v.code
        assert v.name_ky_derived is (row["confidence"] != "high"), v.code


def test_high_confidence_names_are_not_derived(session):
    assert session.get(Municipality, KARAKOL).name_ky_derived is False
    assert session.get(Village, "41702205805030").name_ky_derived is False  # Токтогул, high
    assert session.get(Village, "41702205805040").name_ky_derived is True   # Түргөн, medium
    derived = session.scalar(select(func.count()).select_from(Municipality).where(Municipality.name_ky_derived))
    assert 0 < derived < 484


def test_no_russian_dzh_in_kyrgyz_names(session):
    for model in (Municipality, Village):
        assert session.scalar(select(func.count()).select_from(model).where(model.name_ky.like("%Дж%"))) == 0


# --- malformed files -----------------------------------------------------------------------------

@pytest.mark.parametrize("column, value, reason", [
    ("soate", "41702205807", "not 14 digits"),
    ("soate", "51702205807000", "not 14 digits"),
    ("kind_derived", "hamlet", "unknown kind"),
    ("level", "7", "level"),
    ("name_ru", "", "empty value"),
])
def test_malformed_registry_changes_nothing(session, tmp_path, column, value, reason):
    before = snapshot(session)
    path = corrupt_line(tmp_path, 10, column, value)
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(registry=path))
    problems = excinfo.value.problems
    line10 = [p for p in problems if p.line == 10]
    assert line10, [str(p) for p in problems]
    assert line10[0].file == str(path)
    assert reason in line10[0].reason
    assert f"{path}:10:" in str(excinfo.value)
    assert snapshot(session) == before


def test_every_problem_is_reported(session, tmp_path):
    fieldnames, rows = read_registry()
    rows[8]["soate"] = "123"             # line 10
    rows[98]["kind_derived"] = "hamlet"  # line 100
    path = write_registry(tmp_path / "registry.csv", fieldnames, rows)
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(registry=path))
    lines = {p.line for p in excinfo.value.problems}
    assert {10, 100} <= lines


def test_duplicate_code_is_a_problem(session, tmp_path):
    fieldnames, rows = read_registry()
    rows.insert(20, dict(rows[3]))  # a second copy of Ак-Булун aimak on line 22
    path = write_registry(tmp_path / "registry.csv", fieldnames, rows)
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(registry=path))
    assert any(p.line == 22 and "twice" in p.reason for p in excinfo.value.problems)


def test_unknown_parent_is_a_problem(session, tmp_path):
    path = corrupt_line(tmp_path, 11, "parent_soate", "41702205888000")
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(registry=path))
    assert any(p.line == 11 and "parent" in p.reason for p in excinfo.value.problems)


def test_missing_column_is_a_problem(session, tmp_path):
    fieldnames, rows = read_registry()
    fieldnames.remove("kind_derived")
    for row in rows:
        del row["kind_derived"]
    path = write_registry(tmp_path / "registry.csv", fieldnames, rows)
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(registry=path))
    assert any(p.line == 1 and "kind_derived" in p.reason for p in excinfo.value.problems)


def test_missing_file_is_a_problem(session, tmp_path):
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(registry=tmp_path / "nothing.csv"))
    assert any("cannot be read" in p.reason for p in excinfo.value.problems)


def test_wrong_number_of_fields_is_a_problem(session, tmp_path):
    text = REGISTRY.read_text(encoding="utf-8").splitlines(keepends=True)
    text[9] = text[9].rstrip("\n") + ",extra\n"
    path = tmp_path / "registry.csv"
    path.write_text("".join(text), encoding="utf-8")
    before = snapshot(session)
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(registry=path))
    assert any(p.line == 10 and "number of fields" in p.reason for p in excinfo.value.problems)
    assert snapshot(session) == before


# --- corrections ---------------------------------------------------------------------------------

def write_corrections(tmp_path: Path, text: str) -> Path:
    """The shipped corrections plus ``text`` (so that only the new rows change anything)."""
    path = tmp_path / "corrections.csv"
    shipped = (DATA_DIR / "name_corrections.csv").read_text(encoding="utf-8")
    path.write_text(shipped.rstrip("\n") + "\n" + "\n".join(line + "," for line in text.splitlines()) + "\n",
                    encoding="utf-8")
    return path


def test_corrections_override_names_and_clear_the_derived_flag(session, tmp_path):
    path = write_corrections(tmp_path, f"{AK_BULUN},Ак-Булуң айыл аймагы (оңдолду),\n"
                                       "41702205805040,Түргөн-Ата,Тюрген-Ата\n")
    report = load_registry(RegistryFiles(corrections=path))
    assert report.counts["municipalities"]["changed"] == 1
    assert report.counts["villages"]["changed"] == 1
    assert report.counts["municipalities"]["added"] == 0
    m = session.get(Municipality, AK_BULUN)
    assert m.name_ky == "Ак-Булуң айыл аймагы (оңдолду)"
    assert m.name_ru == "Ак-Булунский айылный аймак"  # no Russian correction: unchanged
    assert m.name_ky_derived is False
    assert m.name_ky_method == "correction"
    v = session.get(Village, "41702205805040")
    assert (v.name_ky, v.name_ru, v.name_ky_derived) == ("Түргөн-Ата", "Тюрген-Ата", False)
    # the corrected names are searchable
    hits = [r for r in search_municipalities("Тюрген-Ата") if r.code == AK_BULUN]
    assert hits and hits[0].village.code == "41702205805040"
    # and a second load with the same corrections changes nothing
    again = load_registry(RegistryFiles(corrections=path))
    assert not again.changed_anything


def test_correction_of_a_region(session, tmp_path):
    path = write_corrections(tmp_path, "41702000000000,Ысык-Көл облусу (оңдолду),\n")
    load_registry(RegistryFiles(corrections=path))
    assert session.get(Region, "41702000000000").name_ky == "Ысык-Көл облусу (оңдолду)"


def test_correction_without_a_name_is_a_problem(session, tmp_path):
    path = write_corrections(tmp_path, f"{AK_BULUN},,\n")
    before = snapshot(session)
    with pytest.raises(DataFileError) as excinfo:
        load_registry(RegistryFiles(corrections=path))
    last_line = len(path.read_text(encoding="utf-8").splitlines())
    assert any(p.file == str(path) and p.line == last_line for p in excinfo.value.problems)
    assert snapshot(session) == before


# --- a newer registry with merges ----------------------------------------------------------------

def newer_registry(tmp_path: Path) -> Path:
    """Ак-Булун and Берю-Баш aiyl aimaks merged into a new one; their villages move to it."""
    fieldnames, rows = read_registry()
    out = []
    for row in rows:
        if row["soate"] in (AK_BULUN, BERYU_BASH):
            continue
        if row["parent_soate"] in (AK_BULUN, BERYU_BASH):
            row = {**row, "parent_soate": NEW_AIMAK}
        out.append(row)
    template = next(r for r in rows if r["soate"] == AK_BULUN)
    out.append({**template, "soate": NEW_AIMAK, "name_ru": "Джергаланский айылный аймак",
                "name_ru_raw": "Джергаланский айылный аймак", "cod_pcode": "KG02205899000"})
    return write_registry(tmp_path / "registry_2025.csv", fieldnames, out)


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.csv"
    path.write_text("old_code,new_code,date\n" + text, encoding="utf-8")
    return path


MERGE = f"{AK_BULUN},{NEW_AIMAK},2024-12-27\n{BERYU_BASH},{NEW_AIMAK},2024-12-27\n"


def test_merge_is_recorded(session, tmp_path):
    files = RegistryFiles(registry=newer_registry(tmp_path))
    mapping = write_mapping(tmp_path, MERGE)
    report = load_registry(files, mapping=mapping)
    assert report.counts["municipalities"]["added"] == 1
    assert report.counts["successions"]["changed"] == 2
    assert report.counts["villages"]["changed"] == 6  # 4 of Ак-Булун, 2 of Берю-Баш

    # nothing is deleted
    assert counts(session) == {"Region": 9, "District": 53, "Municipality": 485, "Village": 1855}
    for code in (AK_BULUN, BERYU_BASH):
        old = session.get(Municipality, code)
        assert old.valid_to == MERGE_DATE
        assert old.successor_code == NEW_AIMAK
        assert old.successor.code == NEW_AIMAK
        assert old.is_current is False
    assert session.get(Municipality, AK_BULUN).name_ru == "Ак-Булунский айылный аймак"

    new = session.get(Municipality, NEW_AIMAK)
    assert new.is_current
    assert new.valid_from == MERGE_DATE
    assert new.district_code == AK_SUU
    assert new.region_code == "41702000000000"
    # A unit the names file does not know gets a derived Kyrgyz name, flagged as such.
    assert new.name_ru == "Джергаланский айылный аймак"
    assert new.name_ky == "Жергалан айыл аймагы"
    assert new.short_name_ru == "Джергалан"
    assert new.short_name_ky == "Жергалан"
    assert new.name_ky_derived is True

    # the villages moved to the new parent; their names stay
    moved = session.scalars(select(Village).where(Village.municipality_code == NEW_AIMAK)).all()
    assert {v.code for v in moved} == {"41702205805010", "41702205805020", "41702205805030",
                                       "41702205805040", "41702205807010", "41702205807030"}
    assert session.get(Village, "41702205805040").name_ky == "Түргөн"
    assert session.scalar(select(func.count()).select_from(Village)
                          .where(Village.municipality_code.in_((AK_BULUN, BERYU_BASH)))) == 0

    # searching for a village now finds the new municipality, the old one by its own name only
    by_village = search_municipalities("Түргөн")
    assert by_village[0].code == NEW_AIMAK and by_village[0].village.code == "41702205805040"
    assert AK_BULUN not in [r.code for r in by_village if r.village and r.village.name_ky == "Түргөн"]


def test_merge_load_is_idempotent(session, tmp_path):
    files = RegistryFiles(registry=newer_registry(tmp_path))
    mapping = write_mapping(tmp_path, MERGE)
    load_registry(files, mapping=mapping)
    report = load_registry(files, mapping=mapping)
    assert report.counts["successions"] == {"unchanged": 2}
    assert report.changed_anything is False
    assert session.get(Municipality, AK_BULUN).valid_to == MERGE_DATE


def test_mapping_to_the_same_code_keeps_the_unit(session, tmp_path):
    mapping = write_mapping(tmp_path, f"{AK_BULUN},{AK_BULUN},2024-12-27\n")
    load_registry(mapping=mapping)
    m = session.get(Municipality, AK_BULUN)
    assert m.valid_to is None and m.successor_code is None


def test_mapping_naming_an_unknown_code_is_rejected(session, tmp_path):
    files = RegistryFiles(registry=newer_registry(tmp_path))
    mapping = write_mapping(tmp_path, f"{AK_BULUN},{NEW_AIMAK},2024-12-27\n"
                                      f"{BERYU_BASH},41702205888000,2024-12-27\n")
    with pytest.raises(DataFileError) as excinfo:
        load_registry(files, mapping=mapping)
    problems = excinfo.value.problems
    assert [(p.file, p.line) for p in problems] == [(str(mapping), 3)]
    assert "41702205888000" in problems[0].reason


def test_rejected_mapping_writes_nothing(session, tmp_path):
    """DataFileError means nothing was written, even when the problem is an unknown code in the
    mapping (load_registry's docstring: "Raises DataFileError, writing nothing")."""
    before = snapshot(session)
    files = RegistryFiles(registry=newer_registry(tmp_path))
    mapping = write_mapping(tmp_path, f"{AK_BULUN},{NEW_AIMAK},2024-12-27\n"
                                      f"{BERYU_BASH},41702205888000,2024-12-27\n")
    with pytest.raises(DataFileError):
        load_registry(files, mapping=mapping)
    assert session.get(Municipality, NEW_AIMAK) is None
    assert snapshot(session) == before


@pytest.mark.parametrize("text, reason", [
    (f"{AK_BULUN},{NEW_AIMAK},27.12.2024\n", "YYYY-MM-DD"),
    (f"{AK_BULUN},4170220589,2024-12-27\n", "14-digit"),
    (f"{AK_BULUN},,2024-12-27\n", "empty"),
])
def test_malformed_mapping_is_rejected_before_anything_is_written(session, tmp_path, text, reason):
    before = snapshot(session)
    files = RegistryFiles(registry=newer_registry(tmp_path))
    mapping = write_mapping(tmp_path, text)
    with pytest.raises(DataFileError) as excinfo:
        load_registry(files, mapping=mapping)
    assert any(p.line == 2 and reason in p.reason for p in excinfo.value.problems)
    assert session.get(Municipality, NEW_AIMAK) is None
    assert snapshot(session) == before


# --- the command line ----------------------------------------------------------------------------

def test_cli_load_is_idempotent(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["territory", "load"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["territory", "load"])
    assert second.exit_code == 0, second.output
    assert "0 added" in second.output
    assert "municipalities: 0 added, 0 changed, 484 unchanged" in second.output
    assert "villages: 0 added, 0 changed, 1855 unchanged" in second.output
    assert counts(session)["Municipality"] == 484


def test_cli_malformed_registry(app, session, tmp_path):
    before = snapshot(session)
    path = corrupt_line(tmp_path, 10, "soate", "41702205807")
    result = app.test_cli_runner().invoke(args=["territory", "load", "--registry", str(path)])
    assert result.exit_code != 0
    assert f"{path}:10:" in result.output
    assert "nothing was changed" in result.output
    assert snapshot(session) == before


def test_cli_merge(app, session, tmp_path):
    registry = newer_registry(tmp_path)
    mapping = write_mapping(tmp_path, MERGE)
    result = app.test_cli_runner().invoke(
        args=["territory", "load", "--registry", str(registry), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "municipalities: 1 added" in result.output
    assert "successions: 0 added, 2 changed" in result.output
    session.expire_all()
    assert session.get(Municipality, AK_BULUN).successor_code == NEW_AIMAK


def test_cli_rejected_mapping_changes_nothing(app, session, tmp_path):
    before = snapshot(session)
    registry = newer_registry(tmp_path)
    mapping = write_mapping(tmp_path, f"{AK_BULUN},41702205888000,2024-12-27\n")
    result = app.test_cli_runner().invoke(
        args=["territory", "load", "--registry", str(registry), "--mapping", str(mapping)])
    assert result.exit_code != 0
    assert f"{mapping}:2:" in result.output
    assert session.get(Municipality, NEW_AIMAK) is None
    assert snapshot(session) == before


def test_cli_corrections(app, session, tmp_path):
    path = write_corrections(tmp_path, f"{AK_BULUN},Ак-Булуң (CLI),\n")
    result = app.test_cli_runner().invoke(args=["territory", "load", "--corrections", str(path)])
    assert result.exit_code == 0, result.output
    assert "municipalities: 0 added, 1 changed" in result.output
    session.expire_all()
    assert session.get(Municipality, AK_BULUN).name_ky == "Ак-Булуң (CLI)"


def test_cli_load_reference_data(app):
    result = app.test_cli_runner().invoke(args=["load-reference-data"])
    assert result.exit_code == 0, result.output
    assert "municipalities: 0 added, 0 changed, 484 unchanged" in result.output
    assert "subjects: 0 added, 0 changed, 49 unchanged" in result.output


def test_data_dir_ships_with_the_package():
    for name in ("kg_soate_2021_pre_reform.csv", "kg_adm1_adm2_reference.csv", "kg_names_ky.csv",
                 "name_corrections.csv"):
        assert (DATA_DIR / name).is_file(), name
