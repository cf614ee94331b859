"""The shared list pagination of /api/v1/: ``limit``/``offset`` or ``page``/``page_size``.

Every list endpoint answers ``{count, next, results}``; ``next`` is the URL of the following
page (same query string, moved on) or ``null`` on the last page. At most 100 rows per page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

MAX_PAGE_SIZE = 100
# Far beyond any list, and small enough that offset + limit stays a database integer (SQLite
# raised OverflowError on ``?page=99999999999999999999999``); larger values are a 422.
MAX_OFFSET = 1_000_000_000
MAX_PAGE = MAX_OFFSET // MAX_PAGE_SIZE

T = TypeVar("T")


class PageParams(Schema):
    """Query parameters of every list: either limit/offset or page/page_size (1-based)."""

    limit: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="每页条数（≤100）")
    offset: int | None = Field(None, ge=0, le=MAX_OFFSET, description="跳过的条数")
    page: int | None = Field(None, ge=1, le=MAX_PAGE, description="页码（从 1 开始）")
    page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="每页条数（≤100）")


class Page(Schema, Generic[T]):
    count: int
    next: str | None = None
    results: list[T]


def _window(params: PageParams) -> tuple[int, int, bool]:
    """(offset, limit, page-style?) from whichever style the client used."""
    default = min(getattr(settings, "NPOHUB_API_PAGE_SIZE", 20), MAX_PAGE_SIZE)
    if params.page is not None or params.page_size is not None:
        size = params.page_size or default
        return ((params.page or 1) - 1) * size, size, True
    return params.offset or 0, params.limit or default, False


def _next_url(request: HttpRequest, offset: int, limit: int, page_style: bool) -> str:
    query = request.GET.copy()
    if page_style:
        query["page"] = str(offset // limit + 1)
        query["page_size"] = str(limit)
    else:
        query["offset"] = str(offset)
        query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | list[Any],
    params: PageParams,
    *,
    render: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """One page of ``items`` (a lazy queryset: one COUNT and one sliced SELECT), each row
    passed through ``render`` when given (the endpoint's ``*_out`` function)."""
    offset, limit, page_style = _window(params)
    count = items.count() if isinstance(items, QuerySet) else len(items)
    results = list(items[offset : offset + limit])
    if render is not None:
        results = [render(row) for row in results]
    following = offset + limit
    return {
        "count": count,
        "next": _next_url(request, following, limit, page_style) if following < count else None,
        "results": results,
    }
