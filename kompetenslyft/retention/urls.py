from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("rules/", views.rules_update, name="rules"),
    path("people/<id:pk>/pseudonymise/", views.decide, name="decide"),
    path("runs/<id:pk>/", views.run_detail, name="run"),
]
