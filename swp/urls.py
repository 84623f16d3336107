"""Root URLs: the back office, sign-in, and each app's pages."""

from django.contrib import admin
from django.urls import include, path

from strategy import two_factor

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's reset page with a limit on how many links are sent (strategy/two_factor.py).
    path("accounts/password_reset/", two_factor.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("strategy.urls")),
    path("", include("actions.urls")),
    path("", include("performance.urls")),
    path("", include("evidence.urls")),
    path("", include("publicsite.urls")),
    path("", include("notifications.urls")),
    path("", include("api.urls")),
]
