import datetime as dt

from django.apps import AppConfig


class RosteringConfig(AppConfig):
    name = "village.rostering"
    label = "rostering"
    verbose_name = "Rostering (OneRoster)"

    def purge_expired(self, now: dt.datetime) -> dict[str, int]:
        """Delete the uploaded files of imports long finished; the imports and reports stay."""
        from village.rostering import retention  # models load after the app registry

        return retention.purge_expired(now)
