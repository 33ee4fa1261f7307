from django.urls import path

from . import initiative_views, views

app_name = "learning"
urlpatterns = [
    path("", initiative_views.initiatives, name="initiatives"),
    path("initiatives/<id:pk>/", initiative_views.initiative_detail, name="initiative"),
    path("initiatives/<id:pk>/details/", initiative_views.initiative_details_edit, name="initiative_details"),
    path("initiatives/<id:pk>/settings/", initiative_views.initiative_settings, name="initiative_settings"),
    path("initiatives/<id:pk>/units/", initiative_views.initiative_units, name="initiative_units"),
    path("initiatives/<id:pk>/roles/", initiative_views.initiative_roles, name="initiative_roles"),
    path("initiatives/<id:pk>/modules/", initiative_views.initiative_modules, name="initiative_modules"),
    path("initiatives/<id:pk>/propose/", initiative_views.initiative_propose, name="initiative_propose"),
    path("initiatives/<id:pk>/goals/", initiative_views.goal_add, name="initiative_goal_add"),
    path("initiatives/<id:pk>/goals/<id:goal>/", initiative_views.goal_edit, name="initiative_goal_edit"),
    path(
        "initiatives/<id:pk>/goals/<id:goal>/remove/",
        initiative_views.goal_remove,
        name="initiative_goal_remove",
    ),
    path("initiatives/<id:pk>/plan/", initiative_views.plan_entry_add, name="initiative_entry_add"),
    path(
        "initiatives/<id:pk>/plan/<id:entry>/", initiative_views.plan_entry_edit, name="initiative_entry_edit"
    ),
    path(
        "initiatives/<id:pk>/plan/<id:entry>/remove/",
        initiative_views.plan_entry_remove,
        name="initiative_entry_remove",
    ),
    path(
        "initiatives/<id:pk>/plan/<id:entry>/done/",
        initiative_views.plan_entry_done,
        name="initiative_entry_done",
    ),
    path("initiatives/<id:pk>/proposals/", views.proposals, name="proposals"),
    path("modules/", views.catalogue, name="catalogue"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<id:pk>/", views.session_detail, name="session"),
    path("me/", views.me, name="me"),
    path("team/", views.team, name="team"),
    path("support/", views.support, name="support"),
    path("funder/", views.funder, name="funder"),
    path("job-aids/", views.job_aids, name="job_aids"),
    path("job-aids/<id:pk>/file", views.job_aid_file, name="job_aid_file"),
]
