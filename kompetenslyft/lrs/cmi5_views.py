"""cmi5 pages, one view per action: a lead imports a course package for a module; a person
launches an assignable unit from its journey or the module's page; the AU posts to its fetch
URL; the AU's content is served under its session's key."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.learning import module_selectors
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Person

from . import cmi5, cmi5_selectors

FETCH_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Cache-Control": "no-store",
}
# The AU runs in a sandbox: on the platform's host with an opaque origin (its scripts never reach
# the platform's pages, cookies or storage); on the content host (KOMPETENSLYFT_CMI5_CONTENT_URL)
# with that host's own origin, which holds no cookie of the platform. Either way it speaks to
# the LRS by its auth-token only.
CONTENT_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-downloads"
CONTENT_HOST_POLICY = CONTENT_POLICY + " allow-same-origin"


def _on_content_host(request: HttpRequest) -> bool:
    configured = settings.KOMPETENSLYFT_CMI5_CONTENT_URL
    return bool(configured) and urlsplit(configured).netloc == request.get_host()


MAX_UPLOAD = cmi5.MAX_PACKAGE_BYTES


@login_required
@require_POST
def course_import(request: HttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk)
    leads = module_selectors.lead_orgs_using(access_for(request.user), module)
    if not leads:
        raise Http404
    upload = request.FILES.get("package")
    if upload is None:
        messages.error(request, _("Choose a cmi5 course package (a ZIP file) to import."))
    elif upload.size is not None and upload.size > MAX_UPLOAD:
        messages.error(request, _("The package is larger than 100 MB."))
    else:
        try:
            course = cmi5.course_import(
                organisation=leads[0], module=module, content=upload.read(), actor=request.user
            )
        except cmi5.PackageError as error:
            messages.error(
                request, _("The package was not imported: %(why)s") % {"why": " ".join(error.messages)}
            )
        else:
            messages.success(
                request,
                _("Imported %(title)s with %(n)s assignable units.")
                % {"title": course.title, "n": course.units.count()},
            )
    return redirect(reverse("learning:module", args=[module.pk]) + "#cmi5")


@login_required
@require_POST
def unit_launch(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    person = Person.objects.get(pk=access.person_id)
    unit = cmi5_selectors.unit_for_person(person, pk)
    if unit is None:
        raise Http404
    base = request.build_absolute_uri("/").rstrip("/")
    _session, url = cmi5.launch(
        unit=unit, person=person, base=base, return_url=request.build_absolute_uri(reverse("learning:me"))
    )
    return HttpResponseRedirect(url, status=303)


@csrf_exempt
def fetch(request: HttpRequest, token: str) -> HttpResponse:
    """cmi5 8.2: POST only (a GET could be cached); JSON with status 200, also for errors."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
    elif request.method != "POST":
        response = HttpResponse(status=405)
        response["Allow"] = "POST"
    else:
        answer = cmi5.fetch(token) if len(token) <= 64 else {"error-code": "2", "error-text": "invalid"}
        response = HttpResponse(json.dumps(answer), content_type="application/json")
    for key, value in FETCH_CORS.items():
        response[key] = value
    return response


def content(request: HttpRequest, key: str, path: str) -> HttpResponse:
    """A file of a launched course, under the session's unguessable key (the AU's own links
    and scripts load without the platform's cookie), for as long as the session lasts."""
    if request.method not in ("GET", "HEAD") or len(key) > 64:
        raise Http404
    found = cmi5.content_file(key, path)
    if found is None:
        raise Http404
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Security-Policy"] = CONTENT_HOST_POLICY if _on_content_host(request) else CONTENT_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
