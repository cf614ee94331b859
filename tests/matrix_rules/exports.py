"""Permission-matrix rules for list exports (core.exports, /exports/ and /api/v1/exports/).

An export is started on a list the user may open (the registry: every staff role); a job and
its file belong to their owner alone: "in" is a job of the acting user, "out" a stranger's,
which nobody else reaches, the superuser included (404 as for a missing job).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from npohub.accounts.models import Role, User
from npohub.core.models import ExportJob, ExportState
from tests.matrix import SIGNED_IN, STAFF, Rule, World

NOBODY: frozenset[str] = frozenset()


def _stranger(world: World) -> User:
    return world.once(
        ("export-stranger",),
        lambda: User.objects.create(username="export-stranger", role=Role.CITY_BUREAU),
    )


def _job(world: World, owner: User) -> ExportJob:
    def make() -> ExportJob:
        job = ExportJob(
            owner=owner,
            definition="orgs.organizations",
            title="社会组织名录",
            format="csv",
            state=ExportState.DONE,
            total_rows=1,
            processed_rows=1,
            filename="社会组织名录.csv",
            finished_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        job.file.save("matrix.csv", ContentFile("名称\n矩阵协会\n".encode()), save=False)
        job.save()
        return job

    return world.once(("export-job", owner.pk), make)


def export_job(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        owner = world.user(user) or world.cast["city"]
        return {
            "in": {param: _job(world, owner).pk},
            "out": {param: _job(world, _stranger(world)).pk},
        }

    return build


def _list_key(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {"in": {"key": "orgs.organizations"}, "out": {"key": "no.such.list"}}


def _api_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"definition": "orgs.organizations", "format": "csv", "filters": {}}


POLICY: dict[str, Rule] = {
    "exports:list": Rule(SIGNED_IN, note="each user's own exports only"),
    "exports:start": Rule(
        STAFF,
        target=_list_key,
        methods=("POST",),
        allow_out=NOBODY,
        note="a list the user may open; out = a list that does not exist",
    ),
    "exports:detail": Rule(SIGNED_IN, target=export_job("pk"), allow_out=NOBODY),
    "exports:download": Rule(SIGNED_IN, target=export_job("pk"), allow_out=NOBODY),
    "export_lists": Rule(SIGNED_IN, note="the lists the caller may export (none for a resident)"),
    "create_export": Rule(STAFF, body=_api_body),
    "list_exports": Rule(SIGNED_IN, note="the caller's own exports"),
    "get_export": Rule(SIGNED_IN, target=export_job("job_id"), allow_out=NOBODY),
    "download_export": Rule(SIGNED_IN, target=export_job("job_id"), allow_out=NOBODY),
}
