"""Pages of the strategy app: the public footer pages and the health check."""

from django.urls import path

from strategy import audit_views, two_factor, views

app_name = "strategy"

urlpatterns = [
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    # Two-factor sign-in (strategy/two_factor.py), beside Django's sign-in pages under accounts/.
    path("accounts/two-factor/set-up/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/recovery-codes/", two_factor.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/download.csv", audit_views.audit_log_download, name="audit_log_csv"),
]
