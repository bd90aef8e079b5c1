"""Family pages under ``/family/``: each child's page and the printable summary."""

from django.urls import URLPattern, path

from village.families import views

app_name = "families"
urlpatterns: list[URLPattern] = [
    path("children/<int:student_id>/", views.child, name="child"),
    path("children/<int:student_id>/print/", views.child_print, name="child_print"),
]
