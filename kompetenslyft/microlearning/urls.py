from django.urls import path

from . import views

app_name = "microlearning"

urlpatterns = [
    path("", views.home, name="home"),
    path("sets/<id:pk>/", views.set_detail, name="set"),
    path("sets/<id:pk>/answer/", views.set_submit, name="set_submit"),
    path("choose/", views.choose, name="choose"),
    path("modules/", views.modules, name="modules"),
    path("modules/<id:pk>/switch/", views.module_switch, name="module_switch"),
    path("initiatives/<id:pk>/switch/", views.initiative_switch, name="initiative_switch"),
    path("teams/", views.teams, name="teams"),
    path("teams/start/", views.team_start, name="team_start"),
    path("teams/<id:pk>/end/", views.team_end, name="team_end"),
]
