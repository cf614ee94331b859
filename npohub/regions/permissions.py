"""Who may change the division reference data."""

from __future__ import annotations

from django.utils.translation import gettext as _

from npohub.accounts.models import User, Viewer
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in

from .models import Level, Region, UrbanRuralSource


def can_import_regions(actor: Viewer) -> Decision:
    """Division files are national reference data: only system administrators load them."""
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    if actor.is_superuser:
        return ALLOW
    return deny(_("只有系统管理员可以导入行政区划"))


def can_correct_urban_rural(actor: Viewer, region: Region) -> Decision:
    """Bureau staff correct a community's guessed urban/rural flag inside their own region."""
    if not isinstance(actor, User) or not is_signed_in(actor):
        return deny(_("请先登录"))
    if not (actor.is_superuser or actor.is_bureau):
        return deny(_("只有民政局工作人员可以更正城乡属性"))
    if region.level != Level.VILLAGE:
        return deny(_("只有社区/村可以设置城乡属性"))
    if not region.is_active:
        return deny(_("该区划已撤销"))
    if region.urban_rural_source == UrbanRuralSource.OFFICIAL:
        return deny(_("该社区的城乡属性来自官方城乡分类代码，不能手工更正"))
    if actor.is_superuser:
        return ALLOW
    scope = actor.scope_prefix
    if not scope or not region.code.startswith(scope):
        return deny(_("该社区不在您的辖区内"))
    return ALLOW
