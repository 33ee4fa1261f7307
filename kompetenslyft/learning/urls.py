from django.urls import path

from . import faq_views, views

app_name = "learning"
urlpatterns = [
    path("", views.initiatives, name="initiatives"),
    path("initiatives/<id:pk>/", views.initiative_detail, name="initiative"),
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
    path("faq/", faq_views.faq, name="faq"),
    path("support/<id:pk>/publish/", faq_views.faq_publish, name="faq_publish"),
    path("support/<id:pk>/unpublish/", faq_views.faq_unpublish, name="faq_unpublish"),
]
