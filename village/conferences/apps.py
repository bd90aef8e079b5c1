from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "village.conferences"
    label = "conferences"
    verbose_name = "Conferences"

    def ready(self) -> None:
        from village.conferences import notices, panels, parts

        notices.register()
        parts.register()
        panels.register()
