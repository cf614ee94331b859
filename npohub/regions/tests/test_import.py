"""region_import: the shipped Jinan slice (csv5), the NBS layout, boundary changes, bad input."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from npohub.core.models import AuditEvent
from npohub.regions.errors import DivisionFileError, OlderYearError
from npohub.regions.importing import infer_urban_rural
from npohub.regions.models import Region, RegionImport, UrbanRural, UrbanRuralSource
from npohub.regions.services import region_import

SLICE = Path(__file__).resolve().parents[1] / "data" / "divisions-3701"
NBS_SAMPLE = Path(__file__).resolve().parent / "data" / "nbs-370102.csv"
JUNE_2023 = date(2023, 6, 30)
JUNE_2024 = date(2024, 6, 30)


def import_slice(source: Path = SLICE, year: int = 2023, **kwargs) -> RegionImport:
    effective = kwargs.pop("effective_date", date(year, 6, 30))
    return region_import(
        source=source, layout="csv5", year=year, effective_date=effective, **kwargs
    )


def copy_slice(tmp_path: Path) -> Path:
    target = tmp_path / "divisions"
    shutil.copytree(SLICE, target)
    return target


def drop_line(path: Path, startswith: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(startswith)]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")


def replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def nothing_stored() -> tuple[int, int, int]:
    return Region.objects.count(), RegionImport.objects.count(), AuditEvent.objects.count()


# --- the shipped Jinan slice -------------------------------------------------------------


@pytest.mark.django_db
def test_the_jinan_slice_loads_every_level_with_the_published_counts():
    record = import_slice()

    levels = Counter(Region.objects.values_list("level", flat=True))
    assert levels == {1: 1, 2: 1, 3: 13, 4: 164, 5: 5758}
    assert record.created == 5937
    assert (record.updated, record.deactivated, record.unchanged) == (0, 0, 0)
    assert record.finished_at is not None


@pytest.mark.django_db
def test_every_unit_hangs_under_the_unit_its_code_names():
    import_slice()

    village = Region.objects.select_related("parent__parent__parent__parent").get(
        code="370102001002"
    )
    chain = [village.parent, village.parent.parent, village.parent.parent.parent]
    assert [r.code for r in chain] == ["370102001000", "370102000000", "370100000000"]
    assert village.parent.parent.parent.parent.code == "370000000000"
    assert not Region.objects.filter(level__gt=1, parent__isnull=True).exists()


@pytest.mark.django_db
def test_urban_and_rural_are_inferred_from_committee_names_and_flagged_for_checking():
    import_slice()

    community = Region.objects.get(code="370102001002")  # 解放桥社区居民委员会
    assert (community.urban_rural, community.urban_rural_source) == ("urban", "inferred")
    assert community.needs_urban_rural_check
    sources = Counter(Region.objects.filter(level=5).values_list("urban_rural_source", flat=True))
    assert sources[UrbanRuralSource.OFFICIAL] == 0
    assert sources[UrbanRuralSource.INFERRED] > 5700
    rural = Region.objects.filter(level=5, urban_rural=UrbanRural.RURAL).first()
    assert rural is not None and "村" in rural.name
    assert not Region.objects.filter(level__lt=5).exclude(urban_rural="unknown").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("解放桥社区居民委员会", "urban"),
        ("多福巷社区居委会", "urban"),
        ("翠林一里社区", "urban"),
        ("东岭村村民委员会", "rural"),
        ("赤坎村委会", "rural"),
        ("辛庄村", "rural"),
        ("小营股份经济合作社生活区", "unknown"),
    ],
)
def test_committee_names_give_a_guess_of_urban_or_rural(name, expected):
    assert infer_urban_rural(name) == expected


@pytest.mark.django_db
def test_an_import_writes_one_provenance_row_and_one_audit_event():
    record = import_slice()

    assert RegionImport.objects.count() == 1
    event = AuditEvent.objects.get()
    assert event.kind == "regions.imported"
    assert event.target_id == str(record.pk)
    assert event.actor_label == "system"
    assert event.payload["created"] == 5937
    assert (record.layout, record.year, record.effective_date) == ("csv5", 2023, JUNE_2023)


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing_but_the_years(tmp_path):
    import_slice()

    record = import_slice(year=2024)

    assert (record.created, record.updated, record.deactivated) == (0, 0, 0)
    assert record.unchanged == 5937
    assert set(Region.objects.values_list("first_year", "last_year")) == {(2023, 2024)}


@pytest.mark.django_db
def test_the_management_command_imports_the_slice(capsys):
    call_command("import_regions", "--source", str(SLICE), "--year", "2023")

    assert Region.objects.filter(level=5).count() == 5758
    assert RegionImport.objects.get().effective_date == JUNE_2023
    assert "5937" in capsys.readouterr().out


# --- the NBS layout -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_nbs_layout_stores_official_urban_rural_codes():
    region_import(source=NBS_SAMPLE, layout="nbs", year=2023, effective_date=JUNE_2023)

    flags = {
        r.code: (r.urban_rural, r.urban_rural_source, r.urban_rural_code)
        for r in Region.objects.filter(level=5)
    }
    assert flags == {
        "370102001002": ("urban", "official", "111"),
        "370102001003": ("urban", "official", "112"),
        # 村民委员会 coded 121 is urban: the code decides, never the committee type.
        "370102100201": ("urban", "official", "121"),
        "370102100202": ("rural", "official", "220"),
        "370102100203": ("rural", "official", "210"),
    }
    assert Region.objects.get(code="370102100000").parent.code == "370102000000"


@pytest.mark.django_db
def test_the_nbs_layout_accepts_tab_separated_files_without_a_header(tmp_path):
    rows = [line.split(",") for line in NBS_SAMPLE.read_text(encoding="utf-8").splitlines()[1:]]
    source = tmp_path / "nbs.tsv"
    source.write_text("\n".join("\t".join(row) for row in rows), encoding="utf-8")

    record = region_import(source=source, layout="nbs", year=2023, effective_date=JUNE_2023)

    assert record.created == 10
    assert Region.objects.get(code="370102100202").urban_rural_code == "220"


@pytest.mark.django_db
def test_an_official_code_replaces_an_inferred_flag_and_a_later_guess_does_not_undo_it():
    import_slice()
    village = Region.objects.get(code="370102001002")
    assert village.urban_rural_source == "inferred"

    region_import(
        source=NBS_SAMPLE, layout="nbs", year=2023, effective_date=JUNE_2023, scope_prefix="370102"
    )
    village.refresh_from_db()
    assert (village.urban_rural_source, village.urban_rural_code) == ("official", "111")

    import_slice(year=2024)
    village.refresh_from_db()
    assert (village.urban_rural_source, village.urban_rural_code) == ("official", "111")


@pytest.mark.django_db
def test_a_correction_survives_a_reimport_unless_the_new_file_has_an_official_code():
    import_slice()
    Region.objects.filter(code="370102001002").update(
        urban_rural="rural", urban_rural_source="corrected"
    )

    import_slice(year=2024)
    village = Region.objects.get(code="370102001002")
    assert (village.urban_rural, village.urban_rural_source) == ("rural", "corrected")

    region_import(
        source=NBS_SAMPLE, layout="nbs", year=2024, effective_date=JUNE_2024, scope_prefix="370102"
    )
    village.refresh_from_db()
    assert (village.urban_rural, village.urban_rural_source) == ("urban", "official")


# --- boundary changes ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_unit_missing_from_a_newer_file_is_deactivated_with_the_date_and_kept(tmp_path):
    import_slice()
    newer = copy_slice(tmp_path)
    drop_line(newer / "villages.csv", "370102001003,")

    record = import_slice(newer, year=2024)

    gone = Region.objects.get(code="370102001003")
    assert (gone.is_active, gone.inactive_since, gone.last_year) == (False, JUNE_2024, 2023)
    assert record.deactivated == 1
    assert Region.objects.active().count() == 5936
    assert Region.objects.count() == 5937


@pytest.mark.django_db
def test_records_that_point_at_an_abolished_community_keep_pointing_at_it(tmp_path, orgs):
    """The shared ``orgs`` fixture places 历下区养老服务协会 in 解放桥社区 (370102001002)."""
    import_slice(scope_prefix="3701")
    newer = copy_slice(tmp_path)
    drop_line(newer / "villages.csv", "370102001002,")

    import_slice(newer, year=2024, scope_prefix="3701")

    assoc = orgs["assoc"]
    assoc.refresh_from_db()
    assert assoc.community.code == "370102001002"
    assert assoc.community.is_active is False
    assert assoc.community.inactive_since == JUNE_2024


@pytest.mark.django_db
def test_a_scoped_import_leaves_other_cities_alone(regions):
    import_slice(scope_prefix="3701")

    assert Region.objects.get(code="370202001001").is_active  # Qingdao, outside the scope
    assert Region.objects.get(code="370000000000").is_active


@pytest.mark.django_db
def test_an_unscoped_import_deactivates_everything_the_file_does_not_hold(regions):
    record = import_slice()

    assert not Region.objects.get(code="370202001001").is_active  # Qingdao
    assert record.deactivated == 5  # Qingdao (4) and 千佛山社区, absent from the 2023 slice


@pytest.mark.django_db
def test_a_renamed_unit_keeps_its_row_and_the_audit_event_records_the_old_name(tmp_path):
    import_slice()
    before = Region.objects.get(code="370102001000")
    newer = copy_slice(tmp_path)
    replace_text(newer / "streets.csv", '"解放路街道"', '"解放路新街道"')

    record = import_slice(newer, year=2024)

    after = Region.objects.get(code="370102001000")
    assert (after.pk, after.name) == (before.pk, "解放路新街道")
    assert record.updated == 1
    event = AuditEvent.objects.filter(kind="regions.imported").latest("id")
    assert event.payload["renames"] == [
        {"code": "370102001000", "old": "解放路街道", "new": "解放路新街道"}
    ]


@pytest.mark.django_db
def test_a_unit_that_comes_back_is_reactivated_in_its_old_row(tmp_path):
    import_slice()
    shrunk = copy_slice(tmp_path)
    drop_line(shrunk / "villages.csv", "370102001003,")
    import_slice(shrunk, year=2024)
    old = Region.objects.get(code="370102001003")

    import_slice(year=2025)

    back = Region.objects.get(code="370102001003")
    assert back.pk == old.pk
    assert (back.is_active, back.inactive_since, back.last_year) == (True, None, 2025)


@pytest.mark.django_db
def test_an_older_year_cannot_overwrite_a_newer_one():
    import_slice(year=2024)
    stored = nothing_stored()

    with pytest.raises(OlderYearError):
        import_slice(year=2023)

    assert nothing_stored() == stored


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_file_is_named_and_nothing_is_written(tmp_path):
    source = copy_slice(tmp_path)
    (source / "streets.csv").unlink()

    with pytest.raises(DivisionFileError) as error:
        import_slice(source)

    assert "streets.csv" in error.value.message
    assert nothing_stored() == (0, 0, 0)


@pytest.mark.django_db
def test_wrong_columns_are_reported_with_the_file_and_line_one(tmp_path):
    source = copy_slice(tmp_path)
    replace_text(source / "areas.csv", "code,name,", "id,title,")

    with pytest.raises(DivisionFileError) as error:
        import_slice(source)

    assert (Path(error.value.file).name, error.value.line) == ("areas.csv", 1)
    assert "areas.csv:1" in error.value.message
    assert nothing_stored() == (0, 0, 0)


@pytest.mark.django_db
def test_a_malformed_code_is_reported_with_its_file_and_line(tmp_path):
    source = copy_slice(tmp_path)
    replace_text(source / "villages.csv", "370102001003,", "3701020010X3,")

    with pytest.raises(DivisionFileError) as error:
        import_slice(source)

    assert "villages.csv:3" in error.value.message
    assert error.value.details["line"] == 3
    assert nothing_stored() == (0, 0, 0)


@pytest.mark.django_db
def test_a_duplicate_code_is_reported_with_both_lines(tmp_path):
    source = copy_slice(tmp_path)
    with (source / "streets.csv").open("a", encoding="utf-8") as handle:
        handle.write('370102001,"重复街道",370102,37,3701\n')

    with pytest.raises(DivisionFileError) as error:
        import_slice(source)

    assert "streets.csv:166" in error.value.message
    assert "第 2 行" in error.value.message


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(tmp_path, regions):
    """The village's street is neither in the file nor stored: found only mid-write."""
    source = tmp_path / "orphan.csv"
    source.write_text(
        "370000000000,山东省\n370100000000,济南市\n370199001001,111,孤儿社区居委会\n",
        encoding="utf-8",
    )
    stored = nothing_stored()
    names = dict(Region.objects.values_list("code", "name"))

    with pytest.raises(DivisionFileError) as error:
        region_import(source=source, layout="nbs", year=2024, effective_date=JUNE_2024)

    assert "orphan.csv:3" in error.value.message
    assert nothing_stored() == stored
    assert Region.objects.active().count() == stored[0]  # the unscoped run deactivated nothing
    assert dict(Region.objects.values_list("code", "name")) == names


@pytest.mark.django_db
def test_a_village_row_without_an_urban_rural_code_is_refused_in_the_nbs_layout(tmp_path):
    source = tmp_path / "nbs.csv"
    source.write_text("370000000000,山东省\n370102001002,解放桥社区\n", encoding="utf-8")

    with pytest.raises(DivisionFileError, match="nbs.csv:2"):
        region_import(source=source, layout="nbs", year=2023, effective_date=JUNE_2023)


@pytest.mark.django_db
def test_an_unknown_layout_or_a_missing_source_is_refused():
    with pytest.raises(DivisionFileError, match="未知格式"):
        region_import(source=SLICE, layout="xlsx", year=2023, effective_date=JUNE_2023)
    with pytest.raises(DivisionFileError, match="不存在"):
        import_slice(SLICE / "nowhere")
    assert nothing_stored() == (0, 0, 0)


def test_the_fast_level_and_parent_helpers_agree_with_the_codes_module():
    from npohub.regions import codes
    from npohub.regions.importing import _level_of_full, _parent_of_full

    samples = ["370000000000", "370100000000", "419001000000", "441900003000", "370102001002"]
    for code in samples:
        level = _level_of_full(code)
        assert level == codes.level_of(code)
        assert _parent_of_full(code, level) == codes.parent_code(code)
