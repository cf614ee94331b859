"""Permission-matrix rules for the stars app (merged into tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

POLICY: dict[str, Any] = {}
