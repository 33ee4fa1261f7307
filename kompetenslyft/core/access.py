"""Who may see what: the one place where product roles become query filters.

Every selector that lists or fetches people or units goes through :func:`access_for` and the
``*_filter`` functions here; views never build their own scoping. The rules (PRODUCT.md):

* competence lead: everything in its organisation;
* manager: the people of the units it manages and every unit below them, and itself;
* employee: itself only;
* top management and external evaluator: aggregates of their organisation, never a person;
* project leader and trainer: their initiatives and sessions (later issues), and themselves.

An installation superuser (the operator) sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from .models import Grant, ProductRole


@dataclass(frozen=True)
class Access:
    user_id: int | None
    is_superuser: bool = False
    person_id: int | None = None
    person_organisation_id: int | None = None
    grants: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    managed_paths: tuple[str, ...] = ()
    managed_organisation_ids: frozenset[int] = field(default_factory=frozenset)

    # --- roles -------------------------------------------------------------------------
    def org_ids_with(self, *roles: str) -> set[int]:
        return {org for org, role in self.grants if role in roles}

    @property
    def lead_org_ids(self) -> set[int]:
        return self.org_ids_with(ProductRole.LEAD)

    @property
    def aggregate_org_ids(self) -> set[int]:
        """Organisations whose aggregate figures (counts per unit) this account may see."""
        return self.org_ids_with(ProductRole.LEAD, ProductRole.TOP_MANAGEMENT, ProductRole.EVALUATOR)

    @property
    def project_leader(self) -> bool:
        return bool(self.org_ids_with(ProductRole.PROJECT_LEADER))

    @property
    def is_trainer(self) -> bool:
        return bool(self.org_ids_with(ProductRole.TRAINER))

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_paths)

    @property
    def is_lead(self) -> bool:
        return self.is_superuser or bool(self.lead_org_ids)

    def is_lead_of(self, organisation_id: int) -> bool:
        return self.is_superuser or organisation_id in self.lead_org_ids

    @property
    def can_list_people(self) -> bool:
        return self.is_superuser or bool(self.lead_org_ids) or self.is_manager

    @property
    def can_see_units(self) -> bool:
        return self.is_superuser or bool(self.aggregate_org_ids) or self.is_manager

    @property
    def product_roles(self) -> list[str]:
        roles = sorted({role for _org, role in self.grants})
        if self.is_manager:
            roles.append("manager")
        if self.person_id:
            roles.append("employee")
        return roles

    @property
    def organisation_ids(self) -> set[int]:
        ids = {org for org, _role in self.grants} | set(self.managed_organisation_ids)
        if self.person_organisation_id:
            ids.add(self.person_organisation_id)
        return ids

    # --- filters -------------------------------------------------------------------------
    def people_filter(self, prefix: str = "") -> Q:
        """A Q on Person (or on a model reaching Person through ``prefix``, e.g. "person__")."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        lead_orgs = self.lead_org_ids
        if lead_orgs:
            q |= Q(**{f"{prefix}organisation_id__in": sorted(lead_orgs)})
        if self.managed_paths:
            q |= Q(**{f"{prefix}unit__in": _units_under(self.managed_paths)})
        if self.person_id:
            q |= Q(**{f"{prefix}pk": self.person_id})
        return q

    def units_filter(self) -> Q:
        """A Q on Unit: the units whose tree and aggregate counts this account may see."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        orgs = self.aggregate_org_ids
        if orgs:
            q |= Q(organisation_id__in=sorted(orgs))
        for path in self.managed_paths:
            q |= Q(path__startswith=path)
        return q

    def can_list_people_of(self, unit: Any) -> bool:
        """Whether the people of ``unit`` (by name) are in scope: ``units_with_people_filter``
        for one unit already at hand, so that pages link only where the viewer may follow."""
        return self.is_lead_of(unit.organisation_id) or any(
            unit.path.startswith(p) for p in self.managed_paths
        )

    def units_with_people_filter(self) -> Q:
        """A Q on Unit: the units whose people (by name) this account may see."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        lead_orgs = self.lead_org_ids
        if lead_orgs:
            q |= Q(organisation_id__in=sorted(lead_orgs))
        for path in self.managed_paths:
            q |= Q(path__startswith=path)
        return q


def _units_under(paths: tuple[str, ...]) -> Any:
    from kompetenslyft.org.models import Unit

    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q).values("pk")


ANONYMOUS = Access(user_id=None)


def access_for(user: Any) -> Access:
    """The access of a user, computed once per request (three small queries)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_kompetenslyft_access", None)
    if cached is not None:
        return cached
    from kompetenslyft.org.models import Person, Unit

    person = Person.objects.filter(user_id=user.pk, is_active=True).values("pk", "organisation_id").first()
    managed: list[Any] = []
    if person:
        managed = list(Unit.objects.filter(manager_id=person["pk"]).values("path", "organisation_id"))
    paths = _outermost(sorted(m["path"] for m in managed))
    access = Access(
        user_id=user.pk,
        is_superuser=bool(user.is_superuser),
        person_id=person["pk"] if person else None,
        person_organisation_id=person["organisation_id"] if person else None,
        grants=frozenset(Grant.objects.filter(user_id=user.pk).values_list("organisation_id", "role")),
        managed_paths=tuple(paths),
        managed_organisation_ids=frozenset(m["organisation_id"] for m in managed),
    )
    user._kompetenslyft_access = access
    return access


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths that lie under another path of the list (a manager of a unit and of a unit
    below it needs one filter, not two)."""
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def forget_access(user: Any) -> None:
    if hasattr(user, "_kompetenslyft_access"):
        del user._kompetenslyft_access
