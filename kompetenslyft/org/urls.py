from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("units/", views.units, name="units"),
    path("people/", views.people, name="people"),
    path("people/export.csv", views.people_export, name="people_export"),
    path("people/<id:pk>/", views.person_detail, name="person"),
    path("import/", views.import_upload, name="import"),
    path("import/template/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("import/<id:pk>/", views.import_preview, name="import_preview"),
    path("import/<id:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<id:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
