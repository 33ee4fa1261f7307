from django.urls import path

from . import dashboard_views

app_name = "evaluation"

urlpatterns: list = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/export/", dashboard_views.export_start, name="dashboard_export_start"),
    path("dashboard/export/<id:pk>/", dashboard_views.export_status, name="dashboard_export"),
    path("dashboard/export/<id:pk>/file", dashboard_views.export_download, name="dashboard_export_file"),
]
