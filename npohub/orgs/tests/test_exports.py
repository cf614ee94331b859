import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from npohub.orgs.exports import filters_from_query
from npohub.orgs.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def with_rep(orgs):
    person = PersonFactory(name="王芳", id_number=ID_NUMBER, phone="13812345678")
    orgs["assoc"].legal_representative = person
    orgs["assoc"].save()
    return orgs


def xlsx_rows(response):
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_filters_are_read_from_the_list_pages_query_parameters():
    filters = filters_from_query(
        {
            "region": "370102000000",
            "kind": "association",
            "category": "volunteer",
            "status": "active",
            "level": "county",
            "year": "2020",
            "q": "养老",
            "order": "-name",
        }
    )
    assert filters.region_prefix == "370102" and filters.kind == "association"
    assert filters.category == "volunteer" and filters.status == "active"
    assert filters.management_level == "county" and filters.registered_year == 2020
    assert filters.search == "养老" and filters.order == "-name"
    junk = filters_from_query({"region": "abc", "kind": "x", "year": "nope", "order": "drop"})
    assert junk.region_prefix == "" and junk.kind == "" and junk.registered_year is None
    assert junk.order == "name"


def test_the_xlsx_export_contains_only_the_users_scope(cast, with_rep):
    response = signed_in(cast["district"]).get("/orgs/imports/export/?format=xlsx")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    names = {row[1] for row in rows[1:]}
    assert names == {"历下区养老服务协会", "解放桥社区舞蹈队", "历下区书法协会"}
    assert rows[0][:3] == ["组织类型", "名称", "统一社会信用代码"]
    assoc = next(r for r in rows if r[1] == "历下区养老服务协会")
    assert assoc[10] == ID_NUMBER  # bureau staff in scope see the ID number


def test_the_export_follows_the_list_filters(cast, with_rep):
    response = signed_in(cast["city"]).get(
        "/orgs/imports/export/?format=xlsx&region=370114&kind=association"
    )
    rows = xlsx_rows(response)
    assert [r[1] for r in rows[1:]] == ["章丘区文化艺术协会"]


def test_id_numbers_are_masked_for_users_without_personal_data_access(cast, with_rep):
    response = signed_in(cast["street"]).get("/orgs/imports/export/?format=xlsx")
    rows = xlsx_rows(response)
    assoc = next(r for r in rows if r[1] == "历下区养老服务协会")
    assert assoc[10] == "110105********002X"
    assert assoc[11] == "138****5678"
    assert ID_NUMBER not in str(rows)


def test_the_csv_export_has_a_bom_scope_and_masking(cast, with_rep):
    response = signed_in(cast["street"]).get("/orgs/imports/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "历下区养老服务协会" in text and "章丘区文化艺术协会" not in text
    assert "青岛" not in text and ID_NUMBER not in text and "110105********002X" in text


def test_the_group_export_uses_the_group_template_columns(cast, with_rep):
    response = signed_in(cast["street"]).get(
        "/orgs/imports/export/?format=csv&kind=community_group"
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("名称,住所社区/村区划代码,类别,负责人")
    assert len(lines) == 2 and lines[1].startswith("解放桥社区舞蹈队,370102001002")


def test_residents_cannot_export(cast, with_rep):
    assert signed_in(cast["resident"]).get("/orgs/imports/export/").status_code == 404
