"""The organisation record's print page: open for exactly those who open the record, masked
as its page, the record's own values, headed by its registering authority."""

from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.orgs.permissions import organization_view

from .test_record_view import OFFICER_ID, ORG_PHONE, REP_ID, REP_PHONE, org  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_print_page_opens_and_masks_as_the_organisation_page(cast, client, org):  # noqa: F811
    opened = set()
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("orgs:organization-detail", args=[org.pk]))
        printed = client.get(reverse("orgs:organization-print", args=[org.pk]))
        assert printed.status_code == page.status_code, role
        if printed.status_code != 200:
            assert printed.status_code == 404, role
            continue
        opened.add(role)
        html = printed.content.decode()
        sees = organization_view(user, org).sees_personal_data
        for secret in (REP_ID, REP_PHONE, OFFICER_ID, ORG_PHONE):
            assert (secret in html) == sees, (role, secret)
        if not sees:
            assert "110105********002X" in html and "138****5678" in html, role
        assert org.name in html and org.uscc in html and "历下区民政局" in html, role
        assert "秘书长甲" in html and "社会组织登记信息表" in html, role
        assert reverse("orgs:organization-print", args=[org.pk]) in page.content.decode()
    assert {"district", "city", "street", "org_user"} <= opened
    assert "qingdao" not in opened and "district_out" not in opened
