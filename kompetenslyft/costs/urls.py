from django.urls import path

from . import views

app_name = "costs"
urlpatterns = [
    path("initiatives/<id:pk>/", views.costs, name="initiative"),
    path("initiatives/<id:pk>/entries/", views.entry_add, name="entry_add"),
    path("initiatives/<id:pk>/entries/<id:entry>/", views.entry_edit, name="entry_edit"),
    path("initiatives/<id:pk>/entries/<id:entry>/remove/", views.entry_remove, name="entry_remove"),
    path("initiatives/<id:pk>/settings/", views.settings_save, name="settings"),
    path("initiatives/<id:pk>/role-costs/", views.role_cost_save, name="role_cost"),
]
