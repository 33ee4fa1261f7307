from django.urls import path

from . import journey_views, session_views, support_views, views

app_name = "learning"
urlpatterns = [
    path("", views.initiatives, name="initiatives"),
    path("initiatives/<id:pk>/", views.initiative_detail, name="initiative"),
    path("initiatives/<id:pk>/proposals/", views.proposals, name="proposals"),
    path("modules/", views.catalogue, name="catalogue"),
    path("sessions/", session_views.sessions, name="sessions"),
    path("sessions/new", session_views.session_create, name="session_create"),
    path("sessions/<id:pk>/", session_views.session_detail, name="session"),
    path("sessions/<id:pk>/book", session_views.session_book, name="session_book"),
    path(
        "sessions/<id:pk>/cancel-booking", session_views.session_booking_cancel, name="session_booking_cancel"
    ),
    path("sessions/<id:pk>/details", session_views.session_details, name="session_details"),
    path("sessions/<id:pk>/attendance", session_views.session_attendance, name="session_attendance"),
    path("sessions/<id:pk>/cancel", session_views.session_cancel, name="session_cancel"),
    path("me/", journey_views.me, name="me"),
    path("me/book", journey_views.journey_book, name="journey_book"),
    path("me/cancel-booking", journey_views.journey_booking_cancel, name="journey_booking_cancel"),
    path("me/ask", support_views.support_ask, name="support_ask"),
    path("team/", views.team, name="team"),
    path("support/", support_views.support, name="support"),
    path("support/all/", support_views.support_overview, name="support_overview"),
    path("support/<id:pk>/answer", support_views.support_answer, name="support_answer"),
    path("funder/", views.funder, name="funder"),
    path("job-aids/", views.job_aids, name="job_aids"),
    path("job-aids/<id:pk>/file", views.job_aid_file, name="job_aid_file"),
]
