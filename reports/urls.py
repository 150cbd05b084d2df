from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("save/", views.save, name="save"),
    path("saved/", views.saved_list, name="saved-list"),
    path("saved/<int:report_id>/", views.saved_detail, name="saved-detail"),
]
