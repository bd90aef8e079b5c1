"""What a guardian link the school adds may see, as decided by apps above ``community``.

An admin adding a guardian (the add-person form) makes the link in ``community``, but each
school's choice of the areas a new family link may see is kept by an app built on top of it
(family onboarding). That app registers a provider in its ``AppConfig.ready()``; the add-person
path asks :func:`default_scopes`, so ``community`` never imports the app above it. Without a
provider, or when none has an answer for the school, a new link may see every area.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from village.community.models import Organisation, Scope

#: Given the school, the areas a new guardian link there may see, or ``None`` for no opinion.
ScopesProvider = Callable[[Organisation], Iterable[Scope] | None]

_providers: dict[str, ScopesProvider] = {}


def register(name: str, provider: ScopesProvider) -> None:
    """Ask ``provider`` for the default areas of new links (registering a name again replaces
    it). Providers are asked in the order they were first registered; the first answer counts."""
    _providers[name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def default_scopes(school: Organisation) -> list[Scope]:
    """The areas a new guardian link to a student of ``school`` may see."""
    for provider in _providers.values():
        answer = provider(school)
        if answer is not None:
            return [Scope(scope) for scope in answer]
    return list(Scope)
