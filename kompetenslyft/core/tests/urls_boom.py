"""The product's URLs plus one view that fails, to see the 500 page (tests only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kompetenslyft.urls import urlpatterns as product_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *product_urlpatterns]
