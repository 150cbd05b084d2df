"""The activation pages, under /activation/. Route names `<entity>-<action>`."""

from django.urls import path

from activation.views import attendance

app_name = "activation"

urlpatterns = [
    # A job coach's attendance (activation/views/attendance.py).
    path("attendance/", attendance.cohort_list, name="attendance-cohorts"),
    path("cohorts/<int:cohort_id>/attendance/", attendance.day, name="attendance-day"),
    path("cohorts/<int:cohort_id>/sheet/", attendance.sheet, name="attendance-sheet"),
    path("cohorts/<int:cohort_id>/sheet.pdf", attendance.sheet_pdf, name="attendance-sheet-pdf"),
]
