"""Goal pages under ``/goals/``: the student's (``""``, ``sets/…``, ``mine/…``), the staff's
(``staff/…``: building sets, reviewing plans, the feedback queue, the class overview) and the
family's (``family/…``). Each views module lists its own paths."""

from django.urls import URLPattern

from village.goals.views import builder, efforts, family, overview, plans, review, sets

app_name = "goals"

urlpatterns: list[URLPattern] = [
    *plans.urlpatterns,
    *efforts.urlpatterns,
    *sets.urlpatterns,
    *builder.urlpatterns,
    *review.urlpatterns,
    *overview.urlpatterns,
    *family.urlpatterns,
]
