from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import parse_int, parse_text

from . import selectors


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """One box over modules, job aids and published questions (GET ?q=…&page=…)."""
    access = access_for(request.user)
    query = parse_text(request.GET.get("q"), name="q", max_length=500)
    page = parse_int(request.GET.get("page"), default=1, minimum=1, maximum=10_000, name="page")
    result = selectors.search(access, query, page=page) if query.strip() else None
    return render(request, "search/results.html", {"query": query, "result": result})
