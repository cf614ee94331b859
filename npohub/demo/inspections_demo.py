"""Spot-check demo: a finished 双随机、一公开 round for 历下区 (seed published, every check
concluded, one rectification overdue and recorded as a credit fact) and an open plan for this
year. Everything goes through the inspections services. Run after ``demo_accounts``; running it
again changes nothing (it stops if the finished round exists).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from npohub.accounts.models import Role, User
from npohub.inspections import services
from npohub.inspections.credit_hooks import detect_overdue_rectifications
from npohub.inspections.models import Inspector, SpotCheckPlan
from npohub.regions.models import Region

from .accounts import DEMO_PASSWORD, DISTRICT_CODE

INSPECTORS = (
    ("inspector-zhang", "张检查", "历下区民政局社会组织管理科"),
    ("inspector-wang", "王检查", "历下区民政局执法大队"),
    ("inspector-li", "李检查", "历下区财政局"),
    ("inspector-zhao", "赵检查", "历下区审计局"),
)


@dataclass
class Summary:
    plans: int = 0
    checks: int = 0
    overdue: int = 0


def _inspector(username: str, name: str, region: Region) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"role": Role.INSPECTOR})
    if created:
        user.display_name = name
        user.region = region
        user.scope_prefix = region.prefix
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load_inspections_demo(*, today: dt.date | None = None) -> Summary:
    today = today or timezone.localdate()
    last_year = today.year - 1
    title = f"{last_year}年度历下区社会组织“双随机、一公开”抽查"
    if SpotCheckPlan.objects.filter(title=title).exists():
        return Summary()
    bureau = User.objects.get(username="district")
    lixia = Region.objects.get(code=DISTRICT_CODE, is_active=True)
    for username, name, department in INSPECTORS:
        user = _inspector(username, name, lixia)
        if not Inspector.objects.filter(user=user, region=lixia).exists():
            services.inspector_add(actor=bureau, user=user, region=lixia, department=department)
    demo_inspector = User.objects.filter(username="inspector").first()
    if (
        demo_inspector is not None
        and demo_inspector.region is not None
        and not Inspector.objects.filter(user=demo_inspector).exists()
    ):
        services.inspector_add(
            actor=User.objects.get(username="admin"),
            user=demo_inspector,
            region=demo_inspector.region,
            department="济南市民政局",
        )
    data = services.PlanInput(
        title=title,
        year=last_year,
        kind="regular",
        method="on_site",
        ratios={"association": "0.05", "social_service": "0.05", "foundation": "0.10"},
        scope="年度工作报告、信息公开、内部治理、财务管理、业务活动",
    )
    plan = services.plan_create(actor=bureau, authority_region=lixia, data=data)
    for move in ("commit", "draw", "publish", "start"):
        plan = services.plan_transition(actor=bureau, plan=plan, transition=move)
    start = today - dt.timedelta(days=90)
    checks = list(plan.checks.order_by("number"))
    for i, check in enumerate(checks):
        services.check_notify(
            actor=bureau,
            check=check,
            scope_notice=plan.scope,
            scheduled_on=start + dt.timedelta(days=7),
            today=start,
        )
        checked = start + dt.timedelta(days=7)
        if i == 0:
            finding = services.finding_add(
                actor=bureau,
                check=check,
                type="finance",
                description="未按规定建立财务管理制度，部分支出无合法票据",
                legal_basis="《民间非营利组织会计制度》",
            )
            services.rectification_order_issue(
                actor=bureau,
                check=check,
                requirement="建立财务管理制度，补齐支出凭证并报送整改报告",
                deadline=today - dt.timedelta(days=30),
                finding=finding,
                today=checked,
            )
            services.check_conclude(
                actor=bureau, check=check, checked_on=checked, conclusion="rectify", today=checked
            )
        elif i == 1:
            finding = services.finding_add(
                actor=bureau,
                check=check,
                type="disclosure",
                description="未在登记管理机关指定平台公开年度工作报告",
            )
            order = services.rectification_order_issue(
                actor=bureau,
                check=check,
                requirement="公开年度工作报告",
                deadline=checked + dt.timedelta(days=30),
                finding=finding,
                today=checked,
            )
            services.check_conclude(
                actor=bureau, check=check, checked_on=checked, conclusion="rectify", today=checked
            )
            services.rectification_report(
                actor=bureau,
                order=order,
                rectified_on=checked + dt.timedelta(days=20),
                today=checked + dt.timedelta(days=20),
            )
            services.rectification_verify(
                actor=bureau, order=order, verified_on=checked + dt.timedelta(days=25)
            )
        else:
            services.check_conclude(
                actor=bureau,
                check=check,
                checked_on=checked,
                conclusion="no_problem",
                today=checked,
            )
    overdue = detect_overdue_rectifications(today, bureau) if checks else 0
    services.plan_transition(actor=bureau, plan=plan, transition="close")
    current = services.PlanInput(
        title=f"{today.year}年度历下区社会组织“双随机、一公开”抽查",
        year=today.year,
        kind="regular",
        method="on_site",
        ratios={"association": "0.05", "social_service": "0.05", "foundation": "0.10"},
        scope="年度工作报告、信息公开、内部治理、财务管理、业务活动",
    )
    open_plan = services.plan_create(actor=bureau, authority_region=lixia, data=current)
    services.plan_transition(actor=bureau, plan=open_plan, transition="commit")
    return Summary(plans=2, checks=len(checks), overdue=overdue)
