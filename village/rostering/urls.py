from django.urls import URLPattern, path

from village.rostering import views

app_name = "rostering"
urlpatterns: list[URLPattern] = [
    path("", views.import_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:import_id>/", views.detail, name="detail"),
    path("imports/<int:import_id>/confirm/", views.confirm, name="confirm"),
    path("imports/<int:import_id>/changes.csv", views.changes_download, name="changes"),
]
