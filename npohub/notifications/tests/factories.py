from __future__ import annotations

import factory

from npohub.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification of the test kind ``tests.plain`` (pass ``recipient``)."""

    class Meta:
        model = Notification

    kind = "tests.plain"
    title = factory.Sequence(lambda n: f"测试通知{n}")
    body = "正文"
    url = "/orgs/"
