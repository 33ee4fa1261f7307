from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns: list = [
    path("t/<str:token>/", views.answer_by_token, name="token"),
    path("<id:pk>/", views.answer_mine, name="mine"),
    path("s/<str:signed>/", views.answer_for_session, name="session"),
    path("initiatives/<id:pk>/questions/", views.questions, name="questions"),
]
