"""From the gap drill-down to the training: a lead proposes modules of one of its
organisation's initiatives for exactly the people the drill-down lists (the proposals are made
by ``learning.services.proposals_for_people``; the initiative's proposals page shows them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.params import parse_id
from kompetenslyft.learning.services import proposals_for_people

from .views import drill_down, lead_initiatives


@login_required
@require_POST
def gap_propose(request: HttpRequest) -> HttpResponse:
    """Propose the modules of the chosen initiative for the people of the drill-down (its query
    in the URL, the initiative in the form)."""
    found = drill_down(request)
    if not found.access.is_lead_of(found.organisation.pk):
        raise Http404
    initiative_pk = parse_id(request.POST.get("initiative"), name="initiative")
    initiative = lead_initiatives(found.access, found.organisation).filter(pk=initiative_pk).first()
    if initiative is None:
        raise Http404
    try:
        count = proposals_for_people(
            initiative=initiative,
            people=[row.person for row in found.rows],
            actor=request.user,
            competence=found.competence,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("assessment:gap_people") + "?" + request.GET.urlencode())
    messages.success(
        request,
        _("Modules of %(initiative)s were proposed for %(count)s people below the goal in %(competence)s.")
        % {"initiative": initiative.name, "count": count, "competence": found.competence.local_name},
    )
    return redirect("learning:proposals", pk=initiative.pk)
