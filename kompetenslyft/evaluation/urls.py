from django.urls import path

from . import dashboard_views, results_views, survey_views, views

app_name = "evaluation"

urlpatterns: list = [
    path("results/", results_views.results, name="results"),
    path("t/<str:token>/", views.answer_by_token, name="token"),
    path("<id:pk>/", views.answer_mine, name="mine"),
    path("s/<str:signed>/", views.answer_for_session, name="session"),
    path("sessions/<id:pk>/qr/", views.session_qr, name="session_qr"),
    path("initiatives/<id:pk>/questions/", views.initiative_question_add, name="initiative_question_add"),
    path(
        "initiatives/<id:pk>/questions/<id:question>/move/",
        views.initiative_question_move,
        name="initiative_question_move",
    ),
    path(
        "initiatives/<id:pk>/questions/<id:question>/remove/",
        views.initiative_question_remove,
        name="initiative_question_remove",
    ),
    path(
        "initiatives/<id:pk>/questions/<id:question>/retire/",
        views.initiative_question_retire,
        name="initiative_question_retire",
    ),
    path(
        "initiatives/<id:pk>/questions/<id:question>/restore/",
        views.initiative_question_restore,
        name="initiative_question_restore",
    ),
    path("initiatives/<id:pk>/survey/", survey_views.survey_manage, name="survey_manage"),
    path(
        "initiatives/<id:pk>/survey/questions/", survey_views.survey_question_add, name="survey_question_add"
    ),
    path(
        "initiatives/<id:pk>/survey/questions/<id:question>/",
        survey_views.survey_question_edit,
        name="survey_question_edit",
    ),
    path(
        "initiatives/<id:pk>/survey/questions/<id:question>/remove/",
        survey_views.survey_question_remove,
        name="survey_question_remove",
    ),
    path(
        "initiatives/<id:pk>/survey/questions/<id:question>/move/",
        survey_views.survey_question_move,
        name="survey_question_move",
    ),
    path("initiatives/<id:pk>/survey/send/", survey_views.survey_send, name="survey_send"),
    path("initiatives/<id:pk>/survey/remind/", survey_views.survey_remind, name="survey_remind"),
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/<id:pk>/", survey_views.survey_results_view, name="survey_results"),
    path("surveys/answer/<str:token>/", survey_views.survey_answer_view, name="survey_answer"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/export/", dashboard_views.export_start, name="dashboard_export_start"),
    path("dashboard/export/<id:pk>/", dashboard_views.export_status, name="dashboard_export"),
    path("dashboard/export/<id:pk>/file", dashboard_views.export_download, name="dashboard_export_file"),
]
