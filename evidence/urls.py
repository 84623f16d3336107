from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("evidence/", views.evidence_home, name="home"),
    path("evidence/area/", views.area_upload, name="area_upload"),
    path("evidence/police/", views.police_upload, name="police_upload"),
    path("evidence/police/<int:pk>/", views.police_import_detail, name="police_import_detail"),
    path("evidence/police/<int:pk>/cancel/", views.police_import_cancel, name="police_import_cancel"),
    path("evidence/indicators/new/", views.crime_indicator_create, name="crime_indicator_create"),
    path("evidence/indicators/<int:pk>/change/", views.crime_indicator_edit, name="crime_indicator_edit"),
    path("evidence/indicators/<int:pk>/recompute/", views.crime_indicator_recompute, name="crime_indicator_recompute"),
    path("evidence/crime-counts.csv", views.crime_counts_csv, name="crime_counts_csv"),
    path("evidence/assessment/", views.assessment_page, name="assessment"),
    path("evidence/assessment.xlsx", views.assessment_xlsx, name="assessment_xlsx"),
]
