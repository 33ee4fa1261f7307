from django.urls import path

from . import cmi5_views

app_name = "cmi5"

urlpatterns = [
    path("modules/<id:pk>/import/", cmi5_views.course_import, name="import"),
    path("units/<id:pk>/launch/", cmi5_views.unit_launch, name="launch"),
    path("fetch/<str:token>", cmi5_views.fetch, name="fetch"),
    path("content/<str:key>/<path:path>", cmi5_views.content, name="content"),
]
