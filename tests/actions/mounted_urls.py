"""The app mounted below a path, as a council might serve it beside other services."""

from django.urls import include, path

urlpatterns = [path("tracker/", include("swp.urls"))]
