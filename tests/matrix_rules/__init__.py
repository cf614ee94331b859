"""Permission-matrix rules kept beside the app they cover: one module per app, each defining
``POLICY: dict[str, Rule]`` (and its own target/body builders, built on ``tests.matrix``).
``tests/test_permission_matrix.py`` merges them into its table; a key defined twice fails."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def collect() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rules = getattr(module, "POLICY", {})
        twice = sorted(set(rules) & set(merged))
        assert not twice, f"{info.name}: rules already declared by another module: {twice}"
        merged.update(rules)
    return merged
