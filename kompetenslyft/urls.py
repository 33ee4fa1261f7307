from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kompetenslyft.core import views as core_views
from kompetenslyft.signin import second_factor_views as signin_second_factor
from kompetenslyft.signin import views as signin_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("language/", core_views.set_language, name="set_language"),
    path("accounts/login/", signin_second_factor.PasswordLoginView.as_view(), name="login"),
    path("accounts/logout/", signin_views.LogoutView.as_view(), name="logout"),
    path("", include("kompetenslyft.signin.urls")),
    path(
        "accounts/password-reset/",
        core_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        core_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/activate/<uidb64>/<token>/",
        core_views.AccountActivateView.as_view(),
        name="account_activate",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("org/", include("kompetenslyft.org.urls")),
    path("competence/", include("kompetenslyft.competence.urls")),
    path("assessment/", include("kompetenslyft.assessment.urls")),
    path("learning/", include("kompetenslyft.learning.urls")),
    path("evaluation/", include("kompetenslyft.evaluation.urls")),
    path("indicators/", include("kompetenslyft.indicators.urls")),
    path("search/", include("kompetenslyft.search.urls")),
    path("costs/", include("kompetenslyft.costs.urls")),
    path("successcases/", include("kompetenslyft.successcases.urls")),
    path("knowledge/", include("kompetenslyft.knowledge.urls")),
    path("followup/", include("kompetenslyft.followup.urls")),
    path("xapi/", include("kompetenslyft.lrs.urls")),
    path("cmi5/", include("kompetenslyft.lrs.cmi5_urls")),
    path("lrs-clients/", include("kompetenslyft.lrs.client_urls")),
    path("micro/", include("kompetenslyft.microlearning.urls")),
    path("retention/", include("kompetenslyft.retention.urls")),
    path("data/", include("kompetenslyft.dataprotection.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "kompetenslyft.core.views.bad_request"
