"""Text messages: an interface with interchangeable backends, like Django's e-mail backends.

Production plugs in a provider's gateway by naming its class in PARTYCARE_SMS_BACKEND; the console backend prints,
the in-memory one collects messages for tests.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    phone: str
    text: str


class BaseSmsBackend:
    def send(self, messages: list[TextMessage]) -> int:
        """Send the messages; returns how many were accepted."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, messages: list[TextMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"[SMS → {message.phone}] {message.text}\n")
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    outbox: list[TextMessage] = []

    def send(self, messages: list[TextMessage]) -> int:
        type(self).outbox.extend(messages)
        return len(messages)


@cache
def _backend_class(path: str) -> type[BaseSmsBackend]:
    return import_string(path)  # type: ignore[no-any-return]


def get_backend() -> BaseSmsBackend:
    path = getattr(settings, "SMS_BACKEND", "partycare.obligations.sms.ConsoleSmsBackend")
    return _backend_class(path)()
