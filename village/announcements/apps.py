from __future__ import annotations

from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "village.announcements"
    label = "announcements"
    verbose_name = "Announcements"

    def ready(self) -> None:
        from village.announcements import digest, panels
        from village.announcements.services import sending

        sending.register()
        digest.register()
        panels.register()
