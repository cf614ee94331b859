"""Bounded values (issue 20, finding 1): a credit fact's amount and texts stay within their
columns whichever door they come through (form, API, another app's service), and the database
refuses the rest on both engines."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from django.test import Client

from npohub.core.errors import ValidationFailed
from npohub.core.models import AuditEvent
from npohub.credit.forms import FactForm, RuleForm
from npohub.credit.models import CreditFact, FactKind
from npohub.credit.services import credit_fact_enter, credit_fact_record

from .factories import fact

pytestmark = pytest.mark.django_db


def _nothing_stored(events: int) -> bool:
    return not CreditFact.objects.exists() and AuditEvent.objects.count() == events


def test_a_fact_amount_of_1e30_is_a_validation_error_naming_the_amount_and_nothing_is_stored(
    orgs,
):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        credit_fact_record(
            actor=None,
            organization=orgs["assoc"],
            kind=FactKind.WARNING,
            arose_on=dt.date(2025, 3, 3),
            entered_on=dt.date(2025, 3, 3),
            source="enforcement",
            source_ref="penalty:1",
            summary="罚款",
            amount=Decimal("1e30"),
        )
    assert "amount" in info.value.details
    assert _nothing_stored(events)


def test_a_reference_too_long_for_the_source_column_is_refused_naming_the_reference(cast, orgs):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        credit_fact_enter(
            actor=cast["district"],
            organization=orgs["assoc"],
            kind=FactKind.WARNING,
            arose_on=dt.date(2025, 3, 3),
            summary="罚款",
            reference="号" * 200,
        )
    assert "reference" in info.value.details
    assert _nothing_stored(events)


def test_the_api_answers_422_naming_the_amount_for_1e30_and_stores_nothing(cast, orgs):
    events = AuditEvent.objects.count()
    client = Client()
    client.force_login(cast["district"])
    response = client.post(
        "/api/v1/credit/facts",
        data=json.dumps(
            {
                "organization_id": orgs["assoc"].pk,
                "kind": FactKind.WARNING,
                "arose_on": "2025-03-03",
                "reference": "历民罚〔2025〕1号",
                "summary": "罚款",
                "amount": 1e30,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "amount" in json.dumps(response.json()["details"])
    assert _nothing_stored(events)


@pytest.mark.parametrize("amount", ["1e99", "1000000000000", "-1"])
def test_the_fact_form_refuses_an_amount_its_column_cannot_hold(amount):
    form = FactForm(
        data={
            "kind": FactKind.WARNING,
            "arose_on": "2025-03-03",
            "reference": "历民罚〔2025〕1号",
            "summary": "罚款",
            "amount": amount,
        }
    )
    assert not form.is_valid() and "amount" in form.errors


def test_the_rule_form_refuses_a_threshold_of_1e99():
    form = RuleForm(data={"amount_below": "1e99"})
    assert not form.is_valid() and "amount_below" in form.errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", Decimal("1e12")),
        ("amount", Decimal("-1e12")),
        ("summary", "摘" * 501),
        ("source_ref", "x" * 121),
    ],
)
def test_the_database_refuses_an_out_of_range_fact_value(orgs, field, value):
    row = fact(orgs["assoc"], FactKind.WARNING, dt.date(2025, 3, 3))
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        CreditFact.objects.filter(pk=row.pk).update(**{field: value})
