from django.urls import path

from . import manager_views, views

app_name = "learning"
urlpatterns = [
    path("", views.initiatives, name="initiatives"),
    path("initiatives/<id:pk>/", views.initiative_detail, name="initiative"),
    path("initiatives/<id:pk>/proposals/", manager_views.proposals, name="proposals"),
    path(
        "initiatives/<id:pk>/proposals/confirm/",
        manager_views.proposals_confirm_all,
        name="proposals_confirm_all",
    ),
    path("initiatives/<id:pk>/proposals/<id:proposal>/", manager_views.proposal, name="proposal"),
    path(
        "initiatives/<id:pk>/proposals/<id:proposal>/confirm/",
        manager_views.proposal_confirm,
        name="proposal_confirm",
    ),
    path(
        "initiatives/<id:pk>/proposals/<id:proposal>/swap/", manager_views.proposal_swap, name="proposal_swap"
    ),
    path(
        "initiatives/<id:pk>/proposals/<id:proposal>/exempt/",
        manager_views.proposal_exempt,
        name="proposal_exempt",
    ),
    path("modules/", views.catalogue, name="catalogue"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<id:pk>/", views.session_detail, name="session"),
    path("sessions/book-assigned/", manager_views.book_assigned, name="book_assigned"),
    path(
        "sessions/<id:pk>/book-assigned/", manager_views.book_assigned_session, name="book_assigned_session"
    ),
    path("me/", views.me, name="me"),
    path("team/", manager_views.team, name="team"),
    path("support/", views.support, name="support"),
    path("funder/", views.funder, name="funder"),
    path("job-aids/", views.job_aids, name="job_aids"),
    path("job-aids/<id:pk>/file", views.job_aid_file, name="job_aid_file"),
]
