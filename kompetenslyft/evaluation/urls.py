from django.urls import path

from . import survey_views

app_name = "evaluation"

urlpatterns: list = [
    path("initiatives/<id:pk>/survey/", survey_views.survey_manage, name="survey_manage"),
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/<id:pk>/", survey_views.survey_results_view, name="survey_results"),
    path("s/<str:token>/", survey_views.survey_answer_view, name="survey_answer"),
]
