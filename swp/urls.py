"""Root URLs: the back office, sign-in, and each app's pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("strategy.urls")),
    path("", include("actions.urls")),
    path("", include("performance.urls")),
]
