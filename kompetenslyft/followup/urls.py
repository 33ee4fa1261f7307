from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.followup_list, name="list"),
    path("<str:pk>/record/", views.followup_record, name="record"),
    path("<str:pk>/change/", views.followup_change, name="change"),
]
