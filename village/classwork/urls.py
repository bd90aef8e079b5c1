"""Classwork pages under ``/work/``: the teacher's (class stream, assignments, gradebook, grading)
and the student's (my work, handing in)."""

from django.urls import URLPattern

from village.classwork import urls_student, urls_teacher

app_name = "classwork"
urlpatterns: list[URLPattern] = [*urls_teacher.urlpatterns, *urls_student.urlpatterns]
