from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("erase/", views.erase, name="erase"),
    path("erase/find/", views.person_search, name="person-search"),
    path("erase/<uuid:subject_id>/", views.erase_subject, name="erase-subject"),
]
