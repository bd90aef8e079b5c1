from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "village.goals"
    label = "goals"
    verbose_name = "Learning goals"
