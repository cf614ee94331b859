"""The registry list's export (core.exports): the list page's filter form and selector, the
import template's columns (so an export can be corrected and imported again), personal data
masked as on the organisation's page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, form_filters, register

from .exports import _columns_for, export_records, row_builder
from .forms import OrganizationFilterForm, category_choices
from .permissions import can_list_organizations


def _columns(filters: Any) -> list[Column]:
    return [Column(c.header) for c in _columns_for(filters)]


ORGANIZATIONS = register(
    ExportDefinition(
        key="orgs.organizations",
        title=_("社会组织名录"),
        list_url="orgs:organization-list",
        may_export=can_list_organizations,
        filters=form_filters(OrganizationFilterForm, categories=category_choices),
        records=export_records,
        columns=_columns,
        build_rows=row_builder,
    )
)
