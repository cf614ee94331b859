"""The credit list's desk buttons: one permission decides both whether a button is shown and
whether its page opens, so no role is shown a button that leads to a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.credit.models import CreditRule

pytestmark = pytest.mark.django_db

DESK = [
    ("credit:request-list", "异议与信用修复"),
    ("credit:rule-list", "列入规则"),
    ("credit:barred-list", "限制担任负责人"),
    ("credit:contact-list", "联系记录"),
    ("credit:late-entries", "逾期录入"),
    ("credit:evaluate", "运行评估"),
]


@pytest.mark.parametrize("who", ["street", "community"])
def test_street_and_community_staff_see_the_lists_without_buttons_to_pages_they_cannot_open(
    client, cast, who
):
    rules = CreditRule.objects.count()
    client.force_login(cast[who])
    html = client.get(reverse("credit:listing-list")).content.decode()
    for name, _label in DESK:
        url = reverse(name)
        assert f'href="{url}"' not in html
        assert client.get(url).status_code == 404
    assert CreditRule.objects.count() == rules


@pytest.mark.parametrize("who", ["city", "district"])
def test_bureau_staff_see_every_desk_button_and_each_one_opens(client, cast, who):
    client.force_login(cast[who])
    html = client.get(reverse("credit:listing-list")).content.decode()
    for name, label in DESK:
        url = reverse(name)
        assert f'href="{url}"' in html and label in html
        assert client.get(url).status_code == 200, name
