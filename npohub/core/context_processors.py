from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from npohub.core.navigation import menu_groups_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_groups": menu_groups_for(getattr(request, "user", None), request.path)}
