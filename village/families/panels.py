"""Home-page panels this app adds (see ``village.community.home_panels``)."""


def register() -> None:
    """Register this app's panels with the home page."""
