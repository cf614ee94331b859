"""Template helpers: ``{% region_picker "field" code %}`` resolves the current name itself."""

from __future__ import annotations

from typing import Any

from django import template

from npohub.core.errors import NotFound
from npohub.regions.selectors import region_get

register = template.Library()


@register.inclusion_tag("regions/components/region_picker.html")
def region_picker(
    field: str, code: str | None = "", root: str = "", placeholder: str = ""
) -> dict[str, Any]:
    """The picker component for ``field`` showing the unit ``code`` (may be empty)."""
    name = ""
    if code:
        try:
            region = region_get(str(code))
        except NotFound:
            code = ""
        else:
            code, name = region.code, region.name
    return {
        "field": field,
        "code": code or "",
        "name": name,
        "root": root,
        "placeholder": placeholder,
    }
