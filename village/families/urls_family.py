from django.urls import URLPattern, path

from village.families import views_family

urlpatterns: list[URLPattern] = [
    path("children/<int:student_id>/", views_family.child, name="child"),
    path("children/<int:student_id>/print/", views_family.child_print, name="child_print"),
]
