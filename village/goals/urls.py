"""Goal pages under ``/goals/``: the student's (``""``, ``sets/…``, ``mine/…``), the staff's
(``staff/…``: building sets, reviewing plans, the feedback queue, the class overview) and the
family's (``family/…``). Each views module lists its own paths."""

from django.urls import URLPattern

from village.goals.views import family, sets, student, teacher

app_name = "goals"

urlpatterns: list[URLPattern] = [
    *student.urlpatterns,
    *sets.urlpatterns,
    *teacher.urlpatterns,
    *family.urlpatterns,
]
