from django.urls import path

from . import views

app_name = "lrs"

urlpatterns = [
    path("about", views.about, name="about"),
    path("statements", views.statements, name="statements"),
    path("activities", views.activities, name="activities"),
    path("agents", views.agents, name="agents"),
    path("activities/state", views.state, name="state"),
    path("activities/profile", views.activity_profile, name="activity_profile"),
    path("agents/profile", views.agent_profile, name="agent_profile"),
    path("<path:rest>", views.unknown, name="unknown"),
]
