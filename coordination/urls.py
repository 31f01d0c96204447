from allauth.account.decorators import secure_admin_login
from allauth.socialaccount import views as socialaccount_views
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import export_views, metrics, second_factor, single_sign_on, views

# The administration site signs in through our login (the lockout, the second factor).
admin.site.login = secure_admin_login(admin.site.login)

accounts = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("confirm/", views.confirm_identity, name="confirm_identity"),
    # the names allauth's pages know these by
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path("confirm/", views.confirm_identity, name="account_reauthenticate"),
    # the second factor: allauth's pages, its sign-in step under the lockout
    path("second-factor/authenticate/", second_factor.authenticate, name="mfa_authenticate"),
    path("second-factor/", include("allauth.mfa.urls")),
    # single sign-on: /accounts/oidc/<provider>/login/ and its callback
    path("oidc/<str:provider_id>/login/", single_sign_on.login, name="openid_connect_login"),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),  # (its own oidc/ prefix)
    path("oidc/cancelled/", socialaccount_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("oidc/error/", socialaccount_views.login_error, name="socialaccount_login_error"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
]

coalition = [
    path("", views.coalition_detail, name="coalition"),
    path("emails/", views.notification_log, name="notification_log"),
    path("emails/resend-failed/", views.notification_resend_failed, name="notification_resend_failed"),
    path("privacy/", views.privacy_review, name="privacy_review"),
    path("security/", views.coalition_security, name="coalition_security"),
    path("security/log/", views.security_log_page, name="security_log"),
    path("privacy/<int:pk>/", views.privacy_finding, name="privacy_finding"),
    path("choices/<slug:kind>/", views.autocomplete, name="autocomplete"),
    path("exports/<int:pk>/", export_views.export_progress, name="export"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
]

urlpatterns = [
    path("accounts/", include(accounts)),
    path("coalitions/switch/", views.switch_coalition, name="switch_coalition"),
    path("c/<slug:coalition_slug>/", include(coalition)),
    # Each app owns its part of the address space; named by module, so that
    # the base imports none of them.
    path("", include("members.urls")),
    path("", include("meetings.urls")),
    path("", include("tasks.urls")),
    path("", include("reports.urls")),
    path("", include("public_site.urls")),
    path("", include("dashboard.urls")),
    path("", include("api.urls")),
    path("", include("webhooks.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
# The public pages, in each language of LANGUAGES: /en/p/<slug>/, /es/p/<slug>/.
urlpatterns += i18n_patterns(path("", include("public_site.public_urls")), prefix_default_language=True)
