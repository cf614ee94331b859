"""Configuration tables in the Django admin: departments and review routes are data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Department, FilingDelegation, ReviewRoute


class ReviewRouteInline(admin.TabularInline[Any, Any]):
    model = ReviewRoute
    extra = 1


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Any]):
    list_display = ("name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "region__name", "region__code")
    autocomplete_fields = ()
    raw_id_fields = ("region",)
    filter_horizontal = ("members",)
    inlines = [ReviewRouteInline]


@admin.register(ReviewRoute)
class ReviewRouteAdmin(admin.ModelAdmin[Any]):
    list_display = ("application_kind", "category", "department")
    list_filter = ("application_kind", "category")


@admin.register(FilingDelegation)
class FilingDelegationAdmin(admin.ModelAdmin[Any]):
    list_display = ("street", "federation", "valid_from", "valid_until")
    raw_id_fields = ("street", "federation", "created_by")
