from django.apps import AppConfig


class RosteringConfig(AppConfig):
    name = "village.rostering"
    label = "rostering"
    verbose_name = "Rostering (OneRoster)"
