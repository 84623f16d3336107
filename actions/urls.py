"""Pages of the actions app: home, strategies, my actions, the action list, an action, its update form."""

from django.urls import path, re_path

from actions import import_views, views

app_name = "actions"

urlpatterns = [
    path("", views.home, name="home"),
    path("strategies/", views.strategy_list, name="strategy_list"),
    path("strategies/new/", views.strategy_add, name="strategy_add"),
    path("strategies/<slug:slug>/", views.strategy_detail, name="strategy_detail"),
    path("my/", views.my_actions, name="my_actions"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/download.csv", views.action_list_download, {"file_format": "csv"}, name="action_list_csv"),
    path("actions/download.xlsx", views.action_list_download, {"file_format": "xlsx"}, name="action_list_xlsx"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", views.action_update, name="action_update"),
]

# Spreadsheet import and export (actions/import_views.py).
urlpatterns += [
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/cancel/", import_views.import_cancel_view, name="import_cancel"),
    re_path(
        r"^strategies/(?P<slug>[-\w]+)/export\.(?P<file_format>xlsx|csv)$",
        import_views.plan_export,
        name="plan_export",
    ),
]
