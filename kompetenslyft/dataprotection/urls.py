from django.urls import path

from . import views

app_name = "dataprotection"

urlpatterns = [
    path("me/", views.my_data, name="my_data"),
    path("me/extract/", views.extract_own, name="extract_own"),
    path("people/<id:pk>/extract/", views.extract_for, name="extract_for"),
    path("extracts/<id:pk>/", views.extract_status, name="extract"),
    path("extracts/<id:pk>/file.<str:fmt>", views.extract_file, name="extract_file"),
    path("access/", views.access_log, name="access_log"),
    path("access/<id:pk>/", views.access_entry, name="access_entry"),
]
