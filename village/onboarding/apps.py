import datetime as dt

from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "village.onboarding"
    label = "onboarding"
    verbose_name = "Family onboarding"

    def ready(self) -> None:
        from village.community import link_defaults
        from village.onboarding.services.links import school_default_scopes

        link_defaults.register("onboarding", school_default_scopes)

    def purge_expired(self, now: dt.datetime) -> dict[str, int]:
        """Remove old failed code attempts, codes and invitations long finished, and accounts
        made by a family sign-up that were never confirmed."""
        from village.onboarding import retention  # models load after the app registry

        return retention.purge_expired(now)
