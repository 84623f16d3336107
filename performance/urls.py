"""Pages of the performance app: indicators, the quarterly review and meeting packs."""

from django.urls import path, re_path

from performance import annual_report_views, decision_views, indicator_views, meeting_views, review_views, round_views

app_name = "performance"

urlpatterns = [
    # Update rounds, reminders and sign-off: performance/round_views.py.
    path("rounds/", round_views.round_list, name="round_list"),
    path("rounds/new/", round_views.round_open, name="round_open"),
    path("rounds/<int:pk>/", round_views.round_returns, name="round_returns"),
    path("rounds/<int:pk>/remind/", round_views.round_remind, name="round_remind"),
    path("rounds/<int:pk>/change/", round_views.round_change, name="round_change"),
    path("rounds/<int:pk>/close/", round_views.round_close, name="round_close"),
    path("rounds/corrections/<int:action_pk>/", round_views.round_correction, name="round_correction"),
    path("sign-off/", round_views.signoff_queue, name="signoff_queue"),
    path("sign-off/<int:pk>/", round_views.signoff_review, name="signoff_review"),
    # Indicators and their values: performance/indicator_views.py.
    path("indicators/", indicator_views.indicator_list, name="indicator_list"),
    path("indicators/<int:pk>/", indicator_views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/values/new/", indicator_views.value_add, name="value_add"),
    path("indicators/<int:pk>/values/<int:value_pk>/correct/", indicator_views.value_correct, name="value_correct"),
    path("indicators/imports/", indicator_views.value_import_list, name="value_import_list"),
    path("indicators/imports/new/", indicator_views.value_import_upload, name="value_import_upload"),
    path("indicators/imports/<int:pk>/", indicator_views.value_import_detail, name="value_import_detail"),
    path("indicators/imports/<int:pk>/cancel/", indicator_views.value_import_cancel, name="value_import_cancel"),
    # The quarterly review, meetings and packs: performance/review_views.py, meeting_views.py.
    path("review/", review_views.review_home, name="review_home"),
    path("review/<slug:slug>/", review_views.review_latest, name="review_latest"),
    path("review/<slug:slug>/<str:quarter>/", review_views.review_dashboard, name="review"),
    path("review/<slug:slug>/<str:quarter>/challenges/", review_views.challenge_record, name="challenge_record"),
    path("review/<slug:slug>/<str:quarter>/objectives/", review_views.review_objectives, name="review_objectives"),
    path("review/<slug:slug>/<str:quarter>/packs/", review_views.review_pack_issue, name="review_pack_issue"),
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/change/", meeting_views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/packs/", meeting_views.pack_generate, name="pack_generate"),
    re_path(
        r"^meetings/(?P<pk>\d+)/packs/(?P<pack_pk>\d+)\.(?P<file_format>pdf|xlsx)$",
        meeting_views.pack_download,
        name="pack_download",
    ),
    re_path(r"^packs/(?P<pk>\d+)\.(?P<file_format>pdf|xlsx)$", meeting_views.pack_file, name="pack_file"),
    # The decision log and held meetings: performance/decision_views.py.
    path("decisions/", decision_views.decision_list, name="decision_list"),
    path(
        "decisions/download.csv",
        decision_views.decision_list_download,
        {"file_format": "csv"},
        name="decision_list_csv",
    ),
    path(
        "decisions/download.xlsx",
        decision_views.decision_list_download,
        {"file_format": "xlsx"},
        name="decision_list_xlsx",
    ),
    path("decisions/<int:pk>/", decision_views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/change/", decision_views.decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/respond/", decision_views.decision_respond, name="decision_respond"),
    path("meetings/<int:pk>/held/", decision_views.meeting_held, name="meeting_held"),
    path("meetings/<int:pk>/attendance/", decision_views.meeting_attendance, name="meeting_attendance"),
    # The annual report: performance/annual_report_views.py.
    path("annual-reports/<slug:slug>/", annual_report_views.annual_report_page, name="annual_report"),
    path(
        "annual-reports/<slug:slug>/<str:year>/edit/", annual_report_views.annual_report_edit, name="annual_report_edit"
    ),
    re_path(
        r"^annual-reports/(?P<slug>[-\w]+)/(?P<year>[^/]+)/"
        r"(?P<edition>official|official-sensitive)\.(?P<file_format>docx|pdf)$",
        annual_report_views.annual_report_file,
        name="annual_report_file",
    ),
]
