"""Shared test cast: a small Jinan region tree and one user per role, inside and outside scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.accounts.tests.helpers import force_login_verified
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, grant
from npohub.regions.tests.factories import jinan_tree

PASSWORD = "pass-Word-123"

# Fixtures shared by tests in more than one app (a test module's own fixture of the same name
# takes precedence).
pytest_plugins = ["npohub.registration.tests.fixtures"]


def pytest_collection_modifyitems(config, items):
    shared = Path(settings.SHARED_DIR) / "data" / "divisions"
    if shared.exists():
        return
    skip = pytest.mark.skip(reason="../shared/ is not present")
    for item in items:
        if "needs_shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _force_login_passes_the_second_factor():
    """``client.force_login(user)`` stands for a finished sign-in: for roles that must use a
    second factor (bureau staff, administrators) the session is also marked verified with a
    test authenticator. Tests of the sign-in itself post to the login page. Session-scoped so
    module-scoped fixtures (the permission matrix's clients) get it too."""
    original = Client.force_login
    Client.force_login = force_login_verified(original)  # type: ignore[method-assign]
    yield
    Client.force_login = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Chinese: a test-client request with the ``django_language=en``
    cookie leaves English active in the thread, and Python-side messages follow it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def regions(db):
    return jinan_tree()


@pytest.fixture
def cast(regions):
    """Users by role; ``*_out`` users hold the same role for another place."""
    r = regions
    users = {
        "admin": UserFactory(
            username="admin",
            is_superuser=True,
            is_staff=True,
            role=Role.CITY_BUREAU,
            region=r["jinan"],
        ),
        "city": UserFactory(
            username="city", role=Role.CITY_BUREAU, region=r["jinan"], is_user_admin=True
        ),
        "district": UserFactory(
            username="district", role=Role.DISTRICT_BUREAU, region=r["lixia"], is_user_admin=True
        ),
        "district_out": UserFactory(
            username="district_out", role=Role.DISTRICT_BUREAU, region=r["zhangqiu"]
        ),
        "street": UserFactory(username="street", role=Role.STREET_OFFICER, region=r["jiefangqiao"]),
        "street_out": UserFactory(
            username="street_out", role=Role.STREET_OFFICER, region=r["mingshui"]
        ),
        "community": UserFactory(
            username="community", role=Role.COMMUNITY_WORKER, region=r["c_jfq1"]
        ),
        "hub": UserFactory(username="hub", role=Role.HUB_STAFF, region=r["jinan"]),
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER, region=r["jinan"]),
        "org_user": UserFactory(username="org_user", role=Role.ORG_USER, region=r["lixia"]),
        "org_user_out": UserFactory(username="org_user_out", role=Role.ORG_USER, region=r["lixia"]),
        "inspector": UserFactory(username="inspector", role=Role.INSPECTOR, region=r["jinan"]),
        "expert": UserFactory(username="expert", role=Role.EXPERT, region=r["jinan"]),
        "party": UserFactory(username="party", role=Role.PARTY_OFFICER, region=r["jinan"]),
        "resident": UserFactory(username="resident", role=Role.RESIDENT),
        "qingdao": UserFactory(
            username="qingdao", role=Role.CITY_BUREAU, region=r["qingdao"], is_user_admin=True
        ),
    }
    return users


@pytest.fixture
def orgs(cast, regions):
    """An association in 解放桥 (granted to org_user and hub), a group there, one in 章丘."""
    r = regions
    assoc = OrganizationFactory(
        name="历下区养老服务协会", community=r["c_jfq1"], authority_region=r["lixia"]
    )
    group = CommunityGroupFactory(name="解放桥社区舞蹈队", community=r["c_jfq1"])
    far = OrganizationFactory(
        name="章丘区文化艺术协会",
        community=r["c_ms_village"],
        authority_region=r["zhangqiu"],
        activity_area="章丘区",
    )
    qd = OrganizationFactory(
        name="青岛市南区志愿者协会", community=r["qd_comm"], authority_region=r["shinan"]
    )
    other = OrganizationFactory(
        name="历下区书法协会", community=r["c_qfs1"], authority_region=r["lixia"]
    )
    grant(cast["org_user"], assoc, "own")
    grant(cast["org_user_out"], other, "own")
    grant(cast["hub"], assoc, "hub_member")
    grant(cast["reviewer"], assoc, "supervised")
    return {"assoc": assoc, "group": group, "far": far, "qingdao": qd, "other": other}
