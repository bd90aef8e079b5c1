"""Profile pages under ``/support/``; each views module lists its own paths."""

from django.urls import URLPattern

from village.support.views import accommodations, entries, know, plan_voice, plans, profile

app_name = "support"

urlpatterns: list[URLPattern] = [
    *profile.urlpatterns,
    *entries.urlpatterns,
    *accommodations.urlpatterns,
    *know.urlpatterns,
    *plans.urlpatterns,
    *plan_voice.urlpatterns,
]
