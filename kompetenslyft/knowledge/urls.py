from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("tests/<id:pk>/", views.test_detail, name="test"),
    path("tests/<id:pk>/start/", views.test_start, name="test_start"),
    path("attempts/<id:pk>/", views.attempt_detail, name="attempt"),
    path("attempts/<id:pk>/submit/", views.attempt_submit, name="attempt_submit"),
    path("modules/<id:pk>/", views.module_tests, name="module"),
    path("modules/<id:pk>/preview/", views.bank_preview, name="bank_preview"),
    path("modules/<id:pk>/import/", views.bank_import, name="bank_import"),
    path("modules/<id:pk>/banks/<id:bank>/", views.bank_detail, name="bank"),
    path("modules/<id:pk>/banks/<id:bank>/rename/", views.bank_rename, name="bank_rename"),
    path("modules/<id:pk>/tests/<str:kind>/", views.test_save, name="test_save"),
]
