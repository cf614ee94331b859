"""One demo account per role over the Jinan demo, plus a superuser; idempotent (resets them).

The passwords are fixed and printed on purpose: this is for a local demo only. Change or
deactivate these accounts on any machine others can reach.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from npohub.accounts.models import REGION_ROLES, RecoveryCodeDevice, Role, User
from npohub.accounts.two_factor import second_factor_required
from npohub.core.audit import audit_record
from npohub.orgs.access import access_end, access_grant
from npohub.orgs.models import (
    CLOSED_STATUSES,
    AccessReason,
    Kind,
    Organization,
    OrganizationAccess,
)
from npohub.regions.models import Level, Region

DEMO_PASSWORD = "Demo-2026!"
ADMIN_PASSWORD = "Admin-2026!"
# The demo accounts that must use a second factor (bureau staff, administrators) share this
# fixed TOTP key, printed by demo_accounts: add it once to an authenticator app, or run
# ``manage.py demo_otp_code``. Fixed and public like the passwords: local demo only.
DEMO_TOTP_SECRET = "NPOHUBDEMOTWOFACTORSECRETJINAN23"
DEMO_TOTP_KEY = base64.b32decode(DEMO_TOTP_SECRET).hex()
CITY_CODE = "370100000000"
DISTRICT_CODE = "370102000000"  # 历下区


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str
    organization_label: str
    place: str  # "city" | "district" | "street" | "community" | ""
    grants: tuple[str, int] | None = None  # (reason, how many organisations)


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("city", Role.CITY_BUREAU, "市局演示用户", "济南市民政局", "city"),
    DemoAccount("district", Role.DISTRICT_BUREAU, "区局演示用户", "历下区民政局", "district"),
    DemoAccount("street", Role.STREET_OFFICER, "街道演示用户", "", "street"),
    DemoAccount("community", Role.COMMUNITY_WORKER, "社区演示用户", "", "community"),
    DemoAccount(
        "hub",
        Role.HUB_STAFF,
        "枢纽组织演示用户",
        "济南市社会组织总会",
        "city",
        (AccessReason.HUB_MEMBER, 30),
    ),
    DemoAccount(
        "reviewer",
        Role.REVIEWER,
        "业务主管单位演示用户",
        "济南市教育局",
        "city",
        (AccessReason.SUPERVISED, 20),
    ),
    DemoAccount("org", Role.ORG_USER, "社会组织演示用户", "", "district", (AccessReason.OWN, 1)),
    DemoAccount(
        "inspector",
        Role.INSPECTOR,
        "检查人员演示用户",
        "济南市民政局",
        "city",
        (AccessReason.ASSIGNED, 10),
    ),
    DemoAccount(
        "expert",
        Role.EXPERT,
        "评估专家演示用户",
        "济南市社会组织评估委员会",
        "city",
        (AccessReason.ASSIGNED, 5),
    ),
    DemoAccount(
        "party",
        Role.PARTY_OFFICER,
        "党建指导员演示用户",
        "济南市社会组织综合党委",
        "city",
        (AccessReason.PARTY, 30),
    ),
    DemoAccount("resident", Role.RESIDENT, "居民演示用户", "", ""),
)


class DemoAccountsError(Exception):
    pass


def _places() -> dict[str, Region]:
    city = Region.objects.filter(code=CITY_CODE, is_active=True).first()
    district = Region.objects.filter(code=DISTRICT_CODE, is_active=True).first()
    if city is None or district is None:
        raise DemoAccountsError("未找到济南市/历下区区划：请先运行 manage.py load_demo --size city")
    street = (
        Region.objects.filter(parent=district, level=Level.TOWNSHIP, is_active=True)
        .order_by("code")
        .first()
    )
    community = (
        Region.objects.filter(parent=street, level=Level.VILLAGE, is_active=True)
        .order_by("code")
        .first()
        if street
        else None
    )
    if street is None or community is None:
        raise DemoAccountsError("历下区下没有街道或社区：请先运行 manage.py load_demo --size city")
    return {"city": city, "district": district, "street": street, "community": community}


def _grant_targets(account: DemoAccount, places: dict[str, Region], n: int) -> list[Organization]:
    """Deterministic organisations for an account's grants (open registered ones)."""
    registered = (
        Organization.objects.registered().exclude(status__in=CLOSED_STATUSES).order_by("uscc")
    )
    if account.role == Role.ORG_USER:
        qs = registered.filter(
            kind=Kind.ASSOCIATION,
            management_level="county",
            address_code__startswith=places["district"].prefix,
        )
    elif account.role == Role.REVIEWER:
        supervised = list(registered.filter(supervisory_unit=account.organization_label)[:n])
        if len(supervised) < n:
            more = registered.filter(category__code="education").exclude(
                pk__in=[o.pk for o in supervised]
            )
            supervised += list(more[: n - len(supervised)])
        return supervised
    elif account.role == Role.HUB_STAFF:
        qs = registered.filter(management_level="city")
    elif account.role == Role.PARTY_OFFICER:
        qs = registered.filter(address_code__startswith=places["district"].prefix)
    else:
        qs = registered.filter(address_code__startswith=places["city"].prefix)
    if account.role == Role.INSPECTOR:
        qs = qs.order_by("-uscc")
    elif account.role == Role.EXPERT:
        qs = qs.filter(kind=Kind.SOCIAL_SERVICE)
    return list(qs[:n])


@dataclass
class AccountRow:
    username: str
    password: str
    role_label: str
    scope: str
    second_factor: bool = False


def _demo_authenticator(user: User) -> bool:
    """Accounts that must use a second factor get the demo key (reset each run, recovery codes
    removed); the others lose any authenticator, as they had none in the demo."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    if not second_factor_required(user):
        return False
    TOTPDevice.objects.create(user=user, key=DEMO_TOTP_KEY, name="演示身份验证器", confirmed=True)
    return True


@transaction.atomic
def demo_accounts_create() -> list[AccountRow]:
    """Create or reset the demo accounts and their grants; return what to print."""
    places = _places()
    rows: list[AccountRow] = []
    admin, _ = User.objects.get_or_create(username="admin", defaults={"role": Role.CITY_BUREAU})
    admin.role = Role.CITY_BUREAU
    admin.is_superuser = admin.is_staff = admin.is_active = True
    admin.display_name = "系统管理员"
    admin.region = places["city"]
    admin.scope_prefix = places["city"].prefix
    admin.is_user_admin = True
    admin.organization_label = "济南市民政局"
    admin.set_password(ADMIN_PASSWORD)
    admin.save()
    rows.append(
        AccountRow(
            "admin",
            ADMIN_PASSWORD,
            "超级管理员（Django admin）",
            "全部",
            _demo_authenticator(admin),
        )
    )
    for account in ACCOUNTS:
        region = places.get(account.place) if account.place else None
        user, _ = User.objects.get_or_create(
            username=account.username, defaults={"role": account.role}
        )
        label = account.organization_label
        if account.place == "street" and region is not None:
            label = region.name + "办事处"
        elif account.place == "community" and region is not None:
            label = region.name
        user.role = account.role
        user.display_name = account.display_name
        user.region = region
        user.scope_prefix = region.prefix if region is not None else ""
        user.is_user_admin = account.role in (Role.CITY_BUREAU, Role.DISTRICT_BUREAU)
        user.is_active = True
        user.is_staff = user.is_superuser = False
        user.set_password(DEMO_PASSWORD)
        scope = region.name if region is not None and account.role in REGION_ROLES else ""
        user.organization_label = label
        user.save()
        targets: list[Organization] = []
        if account.grants:
            reason, n = account.grants
            targets = _grant_targets(account, places, n)
        # A reset ends the account's other grants and (re)opens these, through the audited
        # writers of ``orgs.access`` like any other grant.
        wanted = {(org.pk, reason) for org in targets} if account.grants else set()
        for grant in OrganizationAccess.objects.filter(user=user).select_related("organization"):
            if (grant.organization_id, grant.reason) not in wanted:
                access_end(
                    actor=None, user=user, organization=grant.organization, reason=grant.reason
                )
        if account.grants:
            for org in targets:
                access_grant(
                    actor=None,
                    user=user,
                    organization=org,
                    reason=reason,
                    can_edit=reason == AccessReason.OWN,
                )
            if account.role == Role.ORG_USER and targets:
                user.organization_label = targets[0].name
                user.save(update_fields=["organization_label"])
                scope = f"本组织：{targets[0].name}"
            else:
                scope = f"{len(targets)} 个组织（{AccessReason(reason).label}）"
        elif not scope:
            scope = "公开数据与本人诉求"
        rows.append(
            AccountRow(
                user.username,
                DEMO_PASSWORD,
                str(Role(account.role).label),
                scope,
                _demo_authenticator(user),
            )
        )
    audit_record(
        actor=None,
        kind="demo.accounts_reset",
        target=admin,
        payload={"usernames": [r.username for r in rows]},
        region_code=CITY_CODE,
    )
    return rows


def organization_account(org: Organization) -> User:
    """The organisation's own account: the first active one it has, or a new one (``org-`` and
    the last six characters of its credit code, the demo password) made its account through
    ``orgs.access`` like any other."""
    from npohub.orgs.access import organization_account_grant

    owner = (
        User.objects.filter(
            is_active=True,
            organization_grants__organization=org,
            organization_grants__reason=AccessReason.OWN,
        )
        .order_by("pk")
        .first()
    )
    if owner is not None:
        return owner
    user, _ = User.objects.get_or_create(
        username=f"org-{(org.uscc or str(org.pk))[-6:].lower()}",
        defaults={"role": Role.ORG_USER, "display_name": org.name[:50]},
    )
    user.organization_label = org.name
    user.set_password(DEMO_PASSWORD)
    user.save()
    organization_account_grant(actor=None, user=user, organization=org)
    return user
