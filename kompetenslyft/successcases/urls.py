from django.urls import path

from . import views

app_name = "successcases"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("initiatives/<id:pk>/", views.initiative, name="initiative"),
    path("initiatives/<id:pk>/stories/", views.story_add, name="story_add"),
    path("initiatives/<id:pk>/stories/<id:story>/", views.story_edit, name="story_edit"),
    path("initiatives/<id:pk>/stories/<id:story>/remove/", views.story_remove, name="story_remove"),
    path("initiatives/<id:pk>/contacts/", views.contacts_draw, name="contacts_draw"),
    path("initiatives/<id:pk>/contacts/<id:contacts>/", views.contacts_page, name="contacts"),
    path("initiatives/<id:pk>/contacts/<id:contacts>/csv/", views.contacts_csv, name="contacts_csv"),
]
