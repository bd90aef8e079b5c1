"""The student's pages, the assignment page students and guardians share, and the downloads."""

from django.urls import URLPattern, path

from village.classwork import views_student

urlpatterns: list[URLPattern] = [
    path("", views_student.my_work, name="my_work"),
    path("assignments/<int:assignment_id>/", views_student.assignment, name="assignment"),
    path(
        "submissions/<int:submission_id>/file/",
        views_student.submission_file,
        name="submission_file",
    ),
    path("materials/<int:material_id>/file/", views_student.material_file, name="material_file"),
]
