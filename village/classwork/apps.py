from django.apps import AppConfig


class ClassworkConfig(AppConfig):
    name = "village.classwork"
    label = "classwork"
    verbose_name = "Classwork"

    def ready(self) -> None:
        from village.classwork import alerts, calendar_sources, panels_student, panels_teacher
        from village.classwork.family import digest, parts

        panels_teacher.register()
        panels_student.register()
        parts.register()
        calendar_sources.register()
        alerts.register()
        digest.register()
