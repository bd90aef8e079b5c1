from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "village.goals"
    label = "goals"
    verbose_name = "Learning goals"

    def ready(self) -> None:
        from village.goals import digest, notices, panels, parts, quiet

        parts.register()
        notices.register()
        quiet.register()
        digest.register()
        panels.register()
