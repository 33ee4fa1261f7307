"""The follow-up talks on the dashboard (``evaluation.dashboard_page.register_sections``): the
application rate per module, unit and role, and for the lead the free texts grouped per module.

Every figure comes from :mod:`.figures`: exact for the lead, through the release of fixed
blocks (``core.disclosure``) for everyone else. Free texts are never shown to an
aggregates-only viewer; the lead reads them per module, without names, only where the
module's recorded talks (in the filter) number k or more."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kompetenslyft.core.published import next_publication
from kompetenslyft.evaluation import charts
from kompetenslyft.evaluation.dashboard_page import Section, SectionContext, Table, Value
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Role, Unit
from kompetenslyft.org.selectors import in_subtrees

from .figures import Atom, Figures, Group, figures_for, group_by, select
from .models import FollowUp

TEXTS_PER_MODULE = 30


def sections(ctx: SectionContext) -> list[Section]:
    f = ctx.filters
    figures = figures_for(f.organisation)
    atoms = select(
        figures,
        modules=f.modules,
        unit=f.unit.pk if f.unit else None,
        role=f.role.pk if f.role else None,
        gender=f.gender,
        month_from=f.month_from,
        month_to=f.month_to,
    )
    found = [
        _by_module(ctx, figures, atoms),
        _by_unit(ctx, figures, atoms),
        _by_role(ctx, figures, atoms),
    ]
    if ctx.exact:
        found.append(_texts(ctx))
    return found


def _note() -> str:
    return (
        _(
            "Share of the recorded follow-up talks (30 and 90 days after a completed module) in which "
            "the manager found the person applying it (yes or partly); talks recorded as not "
            "applicable are not counted. The period filter applies to the month the talk was held."
        )
        + " "
        + _(
            "The rate is published per closed month and never changes afterwards; a month in which a "
            "group was too small is left out of its figure. The month under way is published on %(date)s."
        )
        % {"date": date_format(next_publication(), "DATE_FORMAT")}
    )


def _rows(
    ctx: SectionContext, figures: Figures, total: Group, groups: list[tuple[str, Group]]
) -> tuple[list[list[Value]], list[str], list[float | None], list[bool]]:
    rows: list[list[Value]] = []
    categories: list[str] = []
    rates: list[float | None] = []
    blank: list[bool] = []
    for i, (label, group) in enumerate([(_("All"), total), *groups]):
        cell = group.cell(figures, exact=ctx.exact)
        none = cell.talks == 0
        rows.append(
            [
                Value(label, "text"),
                Value(cell.talks),
                Value(cell.applying),
                Value(cell.rate, "pct", blank=none),
            ]
        )
        if i:
            categories.append(label)
            rates.append(cell.rate)
            blank.append(none)
    return rows, categories, rates, blank


def _section(
    ctx: SectionContext,
    ident: str,
    title: str,
    first: str,
    rows: Any,
    categories: Any,
    rates: Any,
    blank: Any,
) -> Section:
    chart = charts.bar_chart(
        ident=ident,
        title=title,
        description=_("Share of recorded follow-up talks where the person applies it (yes or partly)."),
        categories=categories,
        series=[charts.Series(_("Application rate"), rates)],
        percent=True,
        maximum=1.0,
        hidden_text=ctx.hidden,
        empty_text=ctx.empty,
        blank_text=_("no talks"),
        blank=blank,
    )
    table = Table(title, [first, _("Talks recorded"), _("Applying it"), _("Application rate")], rows)
    return Section(ident, title, "", chart, table, note=_note(), short_title=title[:31])


def _by_module(ctx: SectionContext, figures: Figures, atoms: list[Atom]) -> Section:
    groups = group_by(atoms, lambda a: a.module)
    names = dict(Module.objects.filter(pk__in=sorted(groups)).values_list("pk", "name"))
    ordered = sorted(groups.items(), key=lambda item: (names.get(item[0], ""), item[0]))
    rows, categories, rates, blank = _rows(
        ctx, figures, Group(atoms), [(names.get(pk, "?"), g) for pk, g in ordered]
    )
    return _section(
        ctx,
        "followup-modules",
        _("Application at work per module"),
        _("Module"),
        rows,
        categories,
        rates,
        blank,
    )


def _by_unit(ctx: SectionContext, figures: Figures, atoms: list[Atom]) -> Section:
    """The chosen unit's children (or the organisation's top units; below the only one, if
    there is one top unit), each with every unit below it."""
    organisation = ctx.filters.organisation
    base = ctx.filters.unit
    if base is None:
        tops = list(Unit.objects.filter(organisation=organisation, parent__isnull=True)[:2])
        base = tops[0] if len(tops) == 1 else None
    children = list(
        Unit.objects.filter(organisation=organisation, parent=base).order_by("name").values_list("pk", "name")
    )
    depth = base.depth + 1 if base is not None else 0

    def child_of_base(a: Atom) -> int | None:
        return a.units[depth] if len(a.units) > depth else None

    groups = group_by(atoms, child_of_base)
    labelled = [(name, groups[pk]) for pk, name in children if pk in groups]
    rows, categories, rates, blank = _rows(ctx, figures, Group(atoms), labelled)
    if base is not None:
        rows[0][0] = Value(base.name, "text")
    return _section(
        ctx, "followup-units", _("Application at work per unit"), _("Unit"), rows, categories, rates, blank
    )


def _by_role(ctx: SectionContext, figures: Figures, atoms: list[Atom]) -> Section:
    groups = group_by(atoms, lambda a: a.role)
    names = dict(Role.objects.filter(pk__in=sorted(groups)).values_list("pk", "name"))
    names[0] = _("No role")
    ordered = sorted(groups.items(), key=lambda item: (names.get(item[0], ""), item[0]))
    rows, categories, rates, blank = _rows(
        ctx, figures, Group(atoms), [(names.get(pk, "?"), g) for pk, g in ordered]
    )
    return _section(
        ctx, "followup-roles", _("Application at work per role"), _("Role"), rows, categories, rates, blank
    )


def _texts(ctx: SectionContext) -> Section:
    """The lead's free texts (what else hinders, support needed) per module, without names,
    sorted (not in the order written), for modules with k or more recorded talks in the filter."""
    f = ctx.filters
    k = f.organisation.anonymity_threshold
    talks = FollowUp.objects.filter(organisation=f.organisation, held_on__isnull=False)
    if f.modules is not None:
        talks = talks.filter(module_id__in=sorted(f.modules))
    if f.unit is not None:
        talks = talks.filter(in_subtrees(f.unit.path))
    if f.role is not None:
        talks = talks.filter(role=f.role)
    if f.gender is not None:
        talks = (
            talks.filter(gender=f.gender)
            if f.gender != "other"
            else talks.exclude(gender__in=["woman", "man"])
        )
    if f.month_from is not None:
        talks = talks.filter(held_on__gte=f.month_from)
    if f.day_to is not None:
        talks = talks.filter(held_on__lte=f.day_to)
    sizes = dict(talks.values("module_id").annotate(n=Count("pk")).values_list("module_id", "n").order_by())
    large = sorted(pk for pk, n in sizes.items() if n >= k)
    by_module: dict[int, list[tuple[str, str]]] = {}
    written = talks.filter(module_id__in=large).exclude(hindrance_other="", support_needed="")
    for module_id, other, support in written.values_list("module_id", "hindrance_other", "support_needed"):
        by_module.setdefault(module_id, [])
        if other:
            by_module[module_id].append(("other", other))
        if support:
            by_module[module_id].append(("support", support))
    names = dict(Module.objects.filter(pk__in=sorted(by_module)).values_list("pk", "name"))
    kinds = {"other": _("What else hinders"), "support": _("Support needed")}
    rows: list[list[Value]] = []
    for module_id in sorted(by_module, key=lambda pk: (names.get(pk, ""), pk)):
        for kind in ("other", "support"):
            texts = sorted({t for key, t in by_module[module_id] if key == kind}, key=str.casefold)
            for text in texts[:TEXTS_PER_MODULE]:
                rows.append(
                    [
                        Value(names.get(module_id, "?"), "text"),
                        Value(kinds[kind], "text"),
                        Value(text, "text"),
                    ]
                )
    title = _("What hinders and what support is needed, per module")
    chart = charts.empty_chart(
        ident="followup-texts",
        title=title,
        description="",
        message=_(
            "Written by managers in follow-up talks, without names, for modules with %(k)s or more recorded talks."
        )
        % {"k": k},
    )
    table = Table(title, [_("Module"), _("Question"), _("Answer")], rows)
    return Section(
        "followup-texts",
        title,
        "",
        chart,
        table,
        note=_("Shown to the competence lead only, at most %(n)s texts of each kind per module.")
        % {"n": TEXTS_PER_MODULE},
        short_title=_("Follow-up texts"),
    )
