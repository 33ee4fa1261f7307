"""The competence lead's page of LRS clients: list, create (key and secret shown once) and
revoke the xAPI clients of its organisation. Writes are ``services``; every change is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import optional_id, parse_id
from kompetenslyft.org.models import Organisation

from . import selectors, services
from .forms import SCOPE_CHOICES, ClientForm


def _organisation(request: HttpRequest) -> Organisation:
    """The organisation the lead manages clients for (``organisation=`` when it leads several);
    anyone but a lead (or the operator) gets 404."""
    access = access_for(request.user)
    orgs = (
        Organisation.objects.all()
        if access.is_superuser
        else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids))
    )
    wanted = optional_id(
        request.GET.get("organisation") or request.POST.get("organisation"), name="organisation"
    )
    if wanted is not None:
        orgs = orgs.filter(pk=wanted)
    organisation = orgs.order_by("name").first()
    if organisation is None:
        raise Http404
    return organisation


@login_required
def clients(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = ClientForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        client, secret = services.client_create(
            organisation=organisation,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            actor=request.user,
        )
        created = {"client": client, "secret": secret}
        form = ClientForm()
    labels = dict(SCOPE_CHOICES)
    rows = [
        {"client": client, "scopes": [labels.get(scope, scope) for scope in client.scopes.split()]}
        for client in selectors.clients_of(organisation.pk)
    ]
    response = render(
        request,
        "lrs/clients.html",
        {"organisation": organisation, "form": form, "rows": rows, "created": created},
    )
    if created is not None:
        response["Cache-Control"] = "no-store"  # the secret is on this page only once
    return response


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    client = selectors.clients_of(organisation.pk).filter(pk=parse_id(str(pk))).first()
    if client is None:
        raise Http404
    services.client_revoke(client=client, actor=request.user)
    messages.success(
        request, _("The client %(name)s is revoked: its key no longer works.") % {"name": client.name}
    )
    url = redirect("lrs_clients:list").url
    return redirect(f"{url}?organisation={organisation.pk}")
