"""Stable codes of the notification domain's refusals."""

from __future__ import annotations

from npohub.core.errors import ValidationFailed


class UnknownKind(ValidationFailed):
    code = "notifications.unknown_kind"


class UnknownChannel(ValidationFailed):
    code = "notifications.unknown_channel"
