from django.urls import path

from . import second_factor_views, views

app_name = "signin"
urlpatterns = [
    path("login/<slug:code>/oidc/", views.oidc_start, name="oidc_start"),
    path("oidc/callback/", views.CallbackView.as_view(), name="callback"),
    path("oidc/refused/", views.refused, name="refused"),
    path("accounts/login/code/", second_factor_views.totp_code, name="totp_code"),
    path("accounts/login/enrol/", second_factor_views.totp_enrol, name="totp_enrol"),
]
