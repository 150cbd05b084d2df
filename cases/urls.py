from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("search/", views.client_search, name="client-search"),
    path("new/", views.client_create, name="client-create"),
    path("<uuid:client_id>/", views.client_detail, name="client-detail"),
    path("<uuid:client_id>/edit/", views.client_edit, name="client-edit"),
    path("<uuid:client_id>/history/", views.client_history, name="client-history"),
]
