from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model

from kompetenslyft.org.models import Organisation, Person, Placement, Role, Unit


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org{n}")
    name = factory.LazyAttribute(lambda o: f"Organisation {o.code}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    unit_id = factory.Sequence(lambda n: f"U{n}")
    name = factory.LazyAttribute(lambda o: f"Unit {o.unit_id}")
    parent = None

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        unit = super()._create(model_class, *args, **kwargs)
        parent = unit.parent
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.depth = parent.depth + 1 if parent else 0
        unit.save(update_fields=["path", "depth"])
        return unit


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("organisation", "name")

    organisation = factory.SubFactory(OrganisationFactory)
    name = "undersköterska"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.set_password(extracted or "correct-horse-battery")
        if create:
            self.save(update_fields=["password"])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    organisation = factory.LazyAttribute(lambda o: o.unit.organisation)
    role = factory.LazyAttribute(lambda o: RoleFactory(organisation=o.unit.organisation))
    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    given_name = factory.Faker("first_name", locale="sv_SE")
    family_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda o: f"{o.employee_id.lower()}@example.org")
    gender = "woman"

    @factory.post_generation
    def placement(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            Placement.objects.create(
                person=self,
                unit=self.unit,
                role=self.role,
                valid_from=self.start_date or __import__("datetime").date(2020, 1, 1),
            )
