from django.urls import path

from . import client_views

app_name = "lrs_clients"

urlpatterns = [
    path("", client_views.clients, name="list"),
    path("<int:pk>/revoke", client_views.revoke, name="revoke"),
]
