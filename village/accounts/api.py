"""The account part of the JSON API: who is calling, and the profile they see of themselves.

Roles and children live in the community app, which builds ``/api/v1/me`` on top of
:class:`ProfileOut`; this module stays free of community imports (accounts sits below community).
"""

from django.http import HttpRequest
from ninja import Schema
from ninja.errors import AuthenticationError

from village.accounts.models import User


def api_caller(request: HttpRequest) -> User:
    """The signed-in user of an API request; call only in endpoints that use ``api_auth``."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError
    return user


class ProfileOut(Schema):
    """How a person is named and reached, as they set it themselves."""

    id: int
    username: str
    display_name: str
    first_name: str
    last_name: str
    preferred_name: str
    pronouns: str
    preferred_language: str
    time_zone: str

    @staticmethod
    def resolve_time_zone(obj: User) -> str:
        return obj.timezone
