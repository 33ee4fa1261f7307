from django.urls import path

from . import (
    faq_views,
    initiative_views,
    journey_views,
    manager_views,
    module_views,
    session_views,
    support_views,
    views,
)

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
    path("sessions/book-assigned/", manager_views.book_assigned, name="book_assigned"),
    path(
        "sessions/<id:pk>/book-assigned/", manager_views.book_assigned_session, name="book_assigned_session"
    ),
    path("modules/", module_views.catalogue, name="catalogue"),
    path("modules/new/", module_views.module_create, name="module_create"),
    path("modules/network/", module_views.network, name="network"),
    path("modules/<id:pk>/", module_views.module_detail, name="module"),
    path("modules/<id:pk>/edit/", module_views.module_edit, name="module_edit"),
    path("modules/<id:pk>/introduction/", module_views.module_introduction, name="module_introduction"),
    path("modules/<id:pk>/share/", module_views.module_share, name="module_share"),
    path("modules/<id:pk>/unshare/", module_views.module_unshare, name="module_unshare"),
    path("modules/<id:pk>/adopt/", module_views.module_adopt, name="module_adopt"),
    path("modules/<id:pk>/enrol/", module_views.module_enrol, name="module_enrol"),
    path("modules/<id:pk>/book/", module_views.module_book, name="module_book"),
    path("job-aids/<id:pk>/share/", module_views.job_aid_share, name="job_aid_share"),
    path("job-aids/<id:pk>/unshare/", module_views.job_aid_unshare, name="job_aid_unshare"),
    path("job-aids/<id:pk>/adopt/", module_views.job_aid_adopt, name="job_aid_adopt"),
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
    path("team/", manager_views.team, name="team"),
    path("support/", support_views.support, name="support"),
    path("support/all/", support_views.support_overview, name="support_overview"),
    path("support/<id:pk>/answer", support_views.support_answer, name="support_answer"),
    path("funder/", views.funder, name="funder"),
    path("job-aids/", views.job_aids, name="job_aids"),
    path("job-aids/<id:pk>/file", views.job_aid_file, name="job_aid_file"),
    path("faq/", faq_views.faq, name="faq"),
    path("support/<id:pk>/publish/", faq_views.faq_publish, name="faq_publish"),
    path("support/<id:pk>/unpublish/", faq_views.faq_unpublish, name="faq_unpublish"),
]
