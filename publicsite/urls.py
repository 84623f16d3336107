"""Public pages and open data, readable without signing in."""

from django.urls import path, re_path

from publicsite import publication_views, views

app_name = "public"

urlpatterns = [
    path("public/<slug:partnership_slug>/", views.partnership_page, name="partnership"),
    path("public/<slug:partnership_slug>/<slug:strategy_slug>/", views.strategy_page, name="strategy"),
    path(
        "public/<slug:partnership_slug>/<slug:strategy_slug>/data/",
        views.data_dictionary,
        name="data_dictionary",
    ),
    re_path(
        r"^public/(?P<partnership_slug>[-\w]+)/(?P<strategy_slug>[-\w]+)/"
        r"(?P<file_name>actions\.csv|status-history\.csv|indicators\.csv)$",
        views.open_data,
        name="open_data",
    ),
    # Officers' publication controls.
    path("strategies/<slug:slug>/publication/", publication_views.publication, name="publication"),
    path(
        "strategies/<slug:slug>/publication/<str:kind>/<int:pk>/",
        publication_views.publication_item,
        name="publication_item",
    ),
]
