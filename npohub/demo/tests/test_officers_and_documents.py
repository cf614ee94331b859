"""A demo that looks real: every generated organisation has its officers (法定代表人 and 理事长 or
负责人, 秘书长 …) with names, valid ID numbers and phones, and terms relative to today; the demo's
documents have Chinese names and are one-page PDFs."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone
from stdnum.cn import ric

from npohub.demo import documents
from npohub.demo.loader import load_demo
from npohub.orgs.models import Officer, Organization, Person

pytestmark = pytest.mark.django_db


def test_every_generated_organisation_has_its_officers_with_terms_relative_to_today(regions):
    result = load_demo(size="city", seed=1, scale=0.01)
    orgs = Organization.objects.filter(id__gte=result.load.org_id_min)
    total = orgs.count()
    assert total > 100
    today = timezone.localdate()
    # No organisation page says 暂无负责人记录 any more.
    assert orgs.filter(officers__isnull=True).count() == 0
    current = Officer.objects.filter(organization__in=orgs, end_date__isnull=True)
    positions = Counter(current.values_list("position", flat=True))
    groups = orgs.filter(kind="community_group", status__in=("active", "abnormal", "suspended"))
    registered = orgs.exclude(kind="community_group").exclude(
        status__in=("deregistered", "revoked")
    )
    assert positions["principal"] >= groups.count()
    assert positions["legal_representative"] == registered.count()
    assert positions["chair"] == registered.count()
    assert positions["secretary_general"] > 0
    # The legal representative holds the position of the organisation's own record.
    for org in registered[:50]:
        legal = org.officers.get(position="legal_representative", end_date__isnull=True)
        assert legal.person_id == org.legal_representative_id
        assert org.registration_date <= legal.start_date <= today
        assert legal.start_date >= today - dt.timedelta(days=5 * 365)
    # A closed organisation's officers left the day it closed (or earlier: a former term).
    for org in orgs.filter(status__in=("deregistered", "revoked"))[:20]:
        ended = list(org.officers.values_list("end_date", flat=True))
        assert None not in ended and max(ended) == org.status_changed_on
    # Every officer is a person with a valid, unique ID number and a mobile.
    people = Person.objects.filter(positions__organization__in=orgs).distinct()
    numbers = list(people.values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(ric.is_valid(n) for n in numbers[:500])
    assert all(len(p) == 11 for p in people.values_list("phone", flat=True)[:500])
    assert (
        result.load.persons
        == Person.objects.filter(
            id__gte=result.load.person_id_min, id__lte=result.load.person_id_max
        ).count()
    )
    # Replacing the demo removes its officers and their people with it.
    load_demo(size="city", seed=2, scale=0.01, force=True)
    assert not Person.objects.filter(
        positions__isnull=True, represented_organizations__isnull=True
    ).exists()
    assert Officer.objects.exclude(organization__in=Organization.objects.all()).count() == 0


def test_demo_documents_have_chinese_names_and_are_one_page_pdfs():
    day = dt.date(2026, 12, 6)
    assert documents.file_name("articles", 2025) == "章程（草案）.pdf"
    assert documents.file_name("audit_report", 2025) == "2025年度财务审计报告.pdf"
    assert documents.file_name("capital_verification", 2025) == "验资报告.pdf"
    body = documents.pdf("articles", "济南市历下区养老服务协会", day)
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert b"/Count 1" in body and b"STSong-Light" in body
    assert 1500 < len(body) < 20000
    # Same document, same bytes (stored once under its hash).
    assert documents.pdf("articles", "济南市历下区养老服务协会", day) == body
