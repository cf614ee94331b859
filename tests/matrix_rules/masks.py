"""Masking in the permission matrix: one row per record type with personal data (ID numbers,
phones, contacts). ``tests/test_permission_matrix.py`` checks every row for every user of the
cast (and anonymous): the record's page and its API answer, read through the session and
through a bearer token, open for the same users and show each value exactly as the app's
``<record>_view(user, record)`` says (whole, or masked and never whole).

A new record type with personal data adds a row here (``MASKS``), with its record view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from npohub.core.validators import mask_contact, mask_id_number, mask_phone
from npohub.credit.models import BarredPerson
from npohub.credit.permissions import barred_person_view
from npohub.enforcement import services as enforcement
from npohub.enforcement.permissions import case_view, complaint_view
from npohub.enforcement.tests.factories import complaint as make_complaint
from npohub.inspections.models import Inspector
from npohub.inspections.permissions import inspector_view
from npohub.orgs.models import Officer, OfficerPosition, Person
from npohub.orgs.permissions import organization_view
from npohub.party.permissions import instructor_view, party_organization_view
from npohub.party.tests.factories import assign, instructor, party_org
from npohub.ratings.models import Expert
from npohub.ratings.permissions import expert_view
from npohub.registration import services as registration
from npohub.registration.permissions import application_view as registration_view
from npohub.registration.tests.factories import ESTABLISHMENT_DOCS, attach, establishment
from npohub.supervision.permissions import report_view
from npohub.supervision.tests.factories import fill, make_report
from tests.matrix import BUREAU, Mask, Secret, World

# Valid ID numbers and phones, each used by one record only (so a hit is this record's).
ID_A = "11010519491231002X"
ID_B = "370102198001011234"
PHONE_A = "13912345678"
PHONE_B = "13787654321"
PHONE_C = "13655556666"


def id_secret(value: str, on: frozenset[str] | None = None) -> Secret:
    masked = mask_id_number(value)
    return Secret(value, masked) if on is None else Secret(value, masked, on)


def phone_secret(value: str) -> Secret:
    return Secret(value, mask_phone(value))


# --- the records -------------------------------------------------------------------------------


def _application(world: World) -> Any:
    """An establishment application by the resident, submitted, founder ID and phone given."""

    def make() -> Any:
        resident = world.cast["resident"]
        app = establishment(
            resident,
            data={"legal_representative_id_number": ID_A, "legal_representative_phone": PHONE_A},
        )
        attach(app, resident, *ESTABLISHMENT_DOCS)
        return registration.application_transition(actor=resident, app=app, transition="submit")

    return world.once("mask-application", make)


def _organization(world: World) -> Any:
    """The association with its legal representative's ID number and mobile, its own phone and
    a secretary-general's ID number (the officers' table: on the page only)."""

    def make() -> Any:
        org = world.orgs["assoc"]
        person = org.legal_representative
        person.id_number, person.phone = ID_A, PHONE_A
        person.save()
        secretary = Person.objects.create(name="秘书长甲", id_number=ID_B)
        Officer.objects.create(
            organization=org, person=secretary, position=OfficerPosition.SECRETARY_GENERAL
        )
        org.phone = PHONE_B
        org.save()
        return org

    return world.once("mask-organization", make)


def _complaint(world: World) -> Any:
    """A complaint about the association, accepted and assigned to the street officer."""

    def make() -> Any:
        district = world.cast["district"]
        c = make_complaint(world.orgs["assoc"], contact=PHONE_A)
        enforcement.complaint_transition(actor=district, complaint=c, transition="accept")
        return enforcement.complaint_assign(
            actor=district, complaint=c, assignee=world.cast["street"]
        )

    return world.once("mask-complaint", make)


def _case(world: World) -> Any:
    """A penalty case against the association barring a person, at the prior notice."""

    def make() -> Any:
        district = world.cast["district"]
        c = make_complaint(world.orgs["assoc"])
        enforcement.complaint_transition(actor=district, complaint=c, transition="accept")
        on = timezone.localdate() - dt.timedelta(days=1)
        case = enforcement.case_open(
            actor=district,
            organization=world.orgs["assoc"],
            title="违规收费",
            complaint=c,
            today=on,
        )
        enforcement.case_transition(actor=district, case=case, transition="investigate", today=on)
        enforcement.sanction_add(
            actor=district,
            case=case,
            kind="bar_person",
            person_name="张三",
            person_id_number=ID_A,
            today=on,
        )
        enforcement.case_transition(actor=district, case=case, transition="notify", today=on)
        case.refresh_from_db()
        return case

    return world.once("mask-case", make)


def _barred(world: World) -> Any:
    return world.once(
        "mask-barred",
        lambda: BarredPerson.objects.create(
            id_number=ID_A,
            name="王某",
            reason="被判处剥夺政治权利",
            legal_basis="《社会团体登记管理条例》第十三条",
            barred_from=dt.date(2025, 1, 1),
        ),
    )


def _party_records(world: World) -> tuple[Any, Any]:
    """An instructor of 历下区 and the association's own branch with its secretary; the party
    officer is assigned the association."""

    def make() -> tuple[Any, Any]:
        assign(world.cast["party"], world.orgs["assoc"])
        ins = instructor(world.orgs["assoc"], region_code="370102000000")
        Person.objects.filter(pk=ins.person_id).update(phone=PHONE_A)
        ins.refresh_from_db()
        po = party_org(host=world.orgs["assoc"])
        po.secretary = Person.objects.create(name="王书记", phone=PHONE_B)
        po.save(update_fields=["secretary"])
        return ins, po

    return world.once("mask-party", make)


def _expert(world: World) -> Any:
    """The cast's expert in the city pool, with an ID number."""
    return world.once(
        "mask-expert",
        lambda: Expert.objects.create(
            user=world.cast["expert"], region=world.regions["jinan"], id_number=ID_A
        ),
    )


def _inspector(world: World) -> Any:
    """The cast's inspector in 历下区's pool, with an ID number."""
    return world.once(
        "mask-inspector",
        lambda: Inspector.objects.create(
            user=world.cast["inspector"],
            region=world.regions["lixia"],
            department="检查科",
            id_number=ID_A,
        ),
    )


def _report(world: World) -> Any:
    """A dual-managed annual report whose contact phone and officers' line carry personal data."""

    def make() -> Any:
        org_user = world.cast["org_user"]
        report = make_report(world.orgs["assoc"], org_user, filled=False)
        return fill(
            report,
            org_user,
            basic={"contact_phone": PHONE_C},
            governance={"officers": f"会长：张三（身份证号{ID_A}，电话{PHONE_A}）"},
        )

    return world.once("mask-report", make)


# Who opens each record (page and API alike); everyone else gets 403/404 or the sign-in answer.
SEES_ASSOC = frozenset(
    {"admin", "city", "district", "street", "community", "hub", "reviewer", "org_user"}
)
CREDIT_DESK = frozenset({"admin", "city", "district", "district_out", "qingdao"})

MASKS: dict[str, Mask] = {
    "registration application (founder's ID number and mobile)": Mask(
        record=_application,
        secrets=lambda app: (id_secret(ID_A), phone_secret(PHONE_A)),
        sees=lambda user, app: registration_view(user, app).sees_personal_data,
        visible=frozenset({"admin", "city", "district", "resident"}),
        page=lambda app: reverse("registration:application-detail", args=[app.pk]),
        api=lambda app: f"/api/v1/registration/applications/{app.pk}",
    ),
    "organisation (legal representative, officers, phone)": Mask(
        record=_organization,
        secrets=lambda org: (
            id_secret(ID_A),
            phone_secret(PHONE_A),
            phone_secret(PHONE_B),
            id_secret(ID_B, on=frozenset({"page"})),
        ),
        sees=lambda user, org: organization_view(user, org).sees_personal_data,
        visible=SEES_ASSOC,
        page=lambda org: reverse("orgs:organization-detail", args=[org.pk]),
        api=lambda org: f"/api/v1/organizations/{org.pk}",
    ),
    "complaint (complainant's contact)": Mask(
        record=_complaint,
        secrets=lambda c: (Secret(PHONE_A, mask_contact(PHONE_A)),),
        sees=lambda user, c: complaint_view(user, c).sees_personal_data,
        visible=frozenset({"admin", "city", "district", "street"}),
        page=lambda c: reverse("enforcement:complaint-detail", args=[c.pk]),
        api=lambda c: f"/api/v1/enforcement/complaints/{c.pk}",
    ),
    "penalty case (barred person's ID number)": Mask(
        record=_case,
        secrets=lambda case: (id_secret(ID_A),),
        sees=lambda user, case: case_view(user, case).sees_personal_data,
        visible=frozenset({"admin", "city", "district", "org_user"}),
        page=lambda case: reverse("enforcement:case-detail", args=[case.pk]),
        api=lambda case: f"/api/v1/enforcement/cases/{case.pk}",
    ),
    "barred person (ID number, masked for everyone)": Mask(
        record=_barred,
        secrets=lambda b: (id_secret(ID_A),),
        sees=lambda user, b: barred_person_view(user, b).sees_id_number,
        visible=CREDIT_DESK,
        page=lambda b: reverse("credit:barred-list"),
        api=lambda b: "/api/v1/credit/barred-persons",
    ),
    "party instructor (phone)": Mask(
        record=lambda w: _party_records(w)[0],
        secrets=lambda ins: (phone_secret(PHONE_A),),
        sees=lambda user, ins: instructor_view(user, ins).sees_phone,
        visible=frozenset({"admin", "city", "district", "party"}),
        page=lambda ins: reverse("party:instructor-detail", args=[ins.pk]),
        api=lambda ins: f"/api/v1/party/instructors/{ins.pk}",
    ),
    "party organisation (secretary's phone)": Mask(
        record=lambda w: _party_records(w)[1],
        secrets=lambda po: (phone_secret(PHONE_B),),
        sees=lambda user, po: party_organization_view(user, po).sees_phone,
        visible=frozenset({"admin", "city", "district", "party"}),
        page=lambda po: reverse("party:organization-detail", args=[po.pk]),
        api=lambda po: f"/api/v1/party/organizations/{po.pk}",
    ),
    "expert (ID number)": Mask(
        record=_expert,
        secrets=lambda e: (id_secret(ID_A),),
        sees=lambda user, e: expert_view(user, e).sees_personal_data,
        visible=BUREAU | {"district_out"},  # the pool is the city's
        page=lambda e: reverse("ratings:expert-list"),
        api=lambda e: "/api/v1/ratings/experts",
    ),
    "inspector (ID number)": Mask(
        record=_inspector,
        secrets=lambda e: (id_secret(ID_A),),
        sees=lambda user, e: inspector_view(user, e).sees_personal_data,
        visible=BUREAU | {"inspector"},  # the inspector reads their own entry
        page=lambda e: reverse("inspections:pool-edit", args=[e.pk]),
        api=lambda e: "/api/v1/inspections/inspectors",
        page_holds=lambda e: (f'value="{ID_A}"',),  # the keeper's edit form holds it
    ),
    "annual report (officers' ID numbers, phones)": Mask(
        record=_report,
        secrets=lambda r: (id_secret(ID_A), phone_secret(PHONE_A), phone_secret(PHONE_C)),
        sees=lambda user, r: report_view(user, r).sees_personal_data,
        visible=SEES_ASSOC,
        page=lambda r: reverse("supervision:report-detail", args=[r.pk]),
        api=lambda r: f"/api/v1/supervision/reports/{r.pk}",
    ),
}
