from __future__ import annotations

import factory

from npohub.accounts.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CITY_BUREAU
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def scope(obj, create, extracted, **kwargs):  # noqa: N805
        if obj.region_id and not obj.scope_prefix:
            obj.scope_prefix = obj.region.prefix
        if create:
            obj.save()
