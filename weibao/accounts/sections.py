"""Sections that apps above accounts add to the user's 账号安全 page (the API tokens
section is the api app's). Each registers a provider in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable

# provider(request) -> a section dict with a "template" key, or None to show nothing.
SectionProvider = Callable[[object], dict | None]
_providers: list[SectionProvider] = []


def register_security_section(provider: SectionProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def security_sections(request) -> list[dict]:
    return [section for provider in _providers if (section := provider(request)) is not None]
