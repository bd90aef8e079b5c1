import datetime as dt

from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "village.onboarding"
    label = "onboarding"
    verbose_name = "Family onboarding"

    def purge_expired(self, now: dt.datetime) -> dict[str, int]:
        """Remove old failed code attempts, and codes and invitations long finished."""
        from village.onboarding import retention  # models load after the app registry

        return retention.purge_expired(now)
