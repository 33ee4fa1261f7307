"""The follow-up talks on the dashboard (``evaluation.dashboard_page.register_sections``): the
application rate per module, unit and role, and for the lead the free texts grouped per module.

Every figure comes from :mod:`.figures`: exact for the lead, through the release of fixed
blocks (``core.disclosure``) for everyone else. Free texts are never shown to an
aggregates-only viewer; the lead reads them per module, without names, only where the
module's row of the table above shows k or more recorded talks (the published months, as the
table counts them) of k or more people, and only the texts of those talks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kompetenslyft.core.published import next_month, next_publication
from kompetenslyft.evaluation import charts
from kompetenslyft.evaluation.dashboard_page import Section, SectionContext, Table, Value
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Role, Unit

from .figures import Atom, Cell, Figures, cells_by, counted, figures_for, select
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
        found.append(_texts(ctx, figures))
    return found


def _note(ctx: SectionContext, figures: Figures) -> str:
    parts = [
        _(
            "Share of the recorded follow-up talks (30 and 90 days after a completed module) in which "
            "the manager found the person applying it (yes or partly); talks recorded as not "
            "applicable are not counted. The period filter applies to the month the talk was held."
        ),
        (
            _(
                "The rate is published per closed month and never changes afterwards; a month in which a "
                "group was too small is left out of its figure. The month under way is published on %(date)s."
            )
            if not ctx.exact
            # The lead's figures are exact: no month is left out of them.
            else _(
                "The rate is published per closed month and never changes afterwards. The month under way "
                "is published on %(date)s."
            )
        )
        % {"date": date_format(next_publication(), "DATE_FORMAT")},
    ]
    if figures.months:
        # Which months, in plain words: the success cases read the same months.
        parts.append(
            _("Figures from the closed months up to %(month)s.")
            % {"month": date_format(figures.months[-1], "YEAR_MONTH_FORMAT")}
        )
        if ctx.exact:
            parts.append(
                _(
                    "You see the exact figures; the success cases count only whole groups of %(k)s or "
                    "more people, so their figures for the same months can be lower."
                )
                % {"k": ctx.filters.organisation.anonymity_threshold}
            )
    return " ".join(parts)


def _rows(
    total: Cell, groups: list[tuple[str, Cell]]
) -> tuple[list[list[Value]], list[str], list[float | None], list[bool]]:
    rows: list[list[Value]] = []
    categories: list[str] = []
    rates: list[float | None] = []
    blank: list[bool] = []
    for i, (label, cell) in enumerate([(_("All"), total), *groups]):
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
    return Section(
        ident,
        title,
        "",
        chart,
        table,
        note=_note(ctx, figures_for(ctx.filters.organisation)),
        short_title=title[:31],
    )


def _module_of(a: Atom) -> int:
    return a.module


def _role_of(a: Atom) -> int:
    return a.role


def _by_module(ctx: SectionContext, figures: Figures, atoms: list[Atom]) -> Section:
    total, groups = cells_by(
        figures, atoms, _module_of, exact=ctx.exact, memo_key=(ctx.filters.key(), "module")
    )
    names = dict(Module.objects.filter(pk__in=sorted(groups)).values_list("pk", "name"))
    ordered = sorted(groups.items(), key=lambda item: (names.get(item[0], ""), item[0]))
    rows, categories, rates, blank = _rows(total, [(names.get(pk, "?"), g) for pk, g in ordered])
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

    total, groups = cells_by(
        figures,
        atoms,
        child_of_base,
        exact=ctx.exact,
        memo_key=(ctx.filters.key(), "unit", base.pk if base is not None else None, depth),
    )
    labelled = [(name, groups[pk]) for pk, name in children if pk in groups]
    rows, categories, rates, blank = _rows(total, labelled)
    if base is not None:
        rows[0][0] = Value(base.name, "text")
    return _section(
        ctx, "followup-units", _("Application at work per unit"), _("Unit"), rows, categories, rates, blank
    )


def _by_role(ctx: SectionContext, figures: Figures, atoms: list[Atom]) -> Section:
    total, groups = cells_by(figures, atoms, _role_of, exact=ctx.exact, memo_key=(ctx.filters.key(), "role"))
    names = dict(Role.objects.filter(pk__in=sorted(groups)).values_list("pk", "name"))
    names[0] = _("No role")
    ordered = sorted(groups.items(), key=lambda item: (names.get(item[0], ""), item[0]))
    rows, categories, rates, blank = _rows(total, [(names.get(pk, "?"), g) for pk, g in ordered])
    return _section(
        ctx, "followup-roles", _("Application at work per role"), _("Role"), rows, categories, rates, blank
    )


def _texts(ctx: SectionContext, figures: Figures) -> Section:
    """The lead's free texts (what else hinders, support needed) per module, without names,
    sorted (not in the order written). Only whole groups the texts cannot be cut into: per
    module and published month, the talks of the whole organisation — the unit, role and
    gender filters do not apply to them (two filters' texts set against each other would give
    the texts of the few between them) — and only months in which k or more people of the
    module had a talk. The module and period filters choose among those whole groups."""
    f = ctx.filters
    k = figures.threshold
    people: dict[tuple[int, dt.date], int] = defaultdict(int)
    for a in select(figures, modules=f.modules, month_from=f.month_from, month_to=f.month_to):
        people[(a.module, a.month)] += a.people
    whole = {key for key, n in people.items() if n >= k}
    modules = sorted({module for module, _month in whole})
    by_module: dict[int, list[tuple[str, str]]] = {}
    if whole:
        first = min(month for _module, month in whole)
        last = next_month(max(month for _module, month in whole))
        written = (
            FollowUp.objects.filter(
                counted(),
                organisation=f.organisation,
                module_id__in=modules,
                held_on__gte=first,
                held_on__lt=last,
            )
            .exclude(hindrance_other="", support_needed="")
            .values_list("module_id", "held_on", "hindrance_other", "support_needed")
        )
        for module_id, held_on, other, support in written:
            if held_on is None or (module_id, held_on.replace(day=1)) not in whole:
                continue
            found = by_module.setdefault(module_id, [])
            if other:
                found.append(("other", other))
            if support:
                found.append(("support", support))
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
        message=_("Written by managers in follow-up talks, without names."),
    )
    table = Table(title, [_("Module"), _("Question"), _("Answer")], rows)
    return Section(
        "followup-texts",
        title,
        "",
        chart,
        table,
        note=_(
            "Shown to the competence lead only, at most %(n)s texts of each kind per module: for the whole "
            "organisation (the unit, role and gender filters do not apply to them), from the closed months "
            "in which %(k)s or more people had a talk about the module."
        )
        % {"n": TEXTS_PER_MODULE, "k": k},
        short_title=_("Follow-up texts"),
    )
