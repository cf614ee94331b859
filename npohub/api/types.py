"""Bounded scalar types for API parameters and schemas, from ``npohub.core.params``'s bounds.

``year: Year`` or ``user_id: DbId`` in an endpoint's signature or a schema makes an
out-of-range value a 422 ``validation_failed`` naming the field (and documents the bounds in the
OpenAPI description), instead of a date or database error further down.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from npohub.core.params import DB_INT_MAX, YEAR_MAX, YEAR_MIN

Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description="年度")]
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
