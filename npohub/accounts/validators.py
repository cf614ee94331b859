"""Password validation: Django's similarity check, also against 姓名 in pinyin."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


class NameSimilarityValidator(UserAttributeSimilarityValidator):
    """``UserAttributeSimilarityValidator`` that can compare with ``display_name_pinyin`` (a
    property, not a field) and names it in words instead of by its attribute name."""

    LABELS = {"display_name_pinyin": gettext_lazy("姓名（拼音）")}

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as exc:
            params = exc.params or {}
            label = self.LABELS.get(str(params.get("verbose_name", "")))
            if label is not None:
                raise ValidationError(
                    exc.message, code=exc.code, params={**params, "verbose_name": str(label)}
                ) from exc
            raise
