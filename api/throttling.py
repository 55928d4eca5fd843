"""Slowing down password guessing on POST /api/auth/login.

Only FAILED sign-ins count, twice: once against the account (the e-mail that
was tried, whoever tries it) and once against the caller's address (whatever
accounts it tries). Over either limit, the login answers 429 with Retry-After
before even checking the password, so a guesser learns nothing and costs no
hashing. A successful sign-in clears the account's counter.

Counters live in Django's cache (the `default` one). The default LocMemCache is
per process: with several gunicorn workers each keeps its own count, so the
effective limit is multiplied by the number of workers. Production with more
than one process should point CACHES at a shared cache (Redis, Memcached, or
Django's DatabaseCache) — see the README, "API REST".
"""
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle


@dataclass(frozen=True)
class FailureCounter:
    scope: str  # Key of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    @property
    def rate(self):
        """(attempts, seconds) from a DRF rate string such as "5/min"."""
        rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]
        num, period = rate.split("/")
        return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]

    def _key(self, ident):
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"api:login-failures:{self.scope}:{digest}"

    def _recent(self, ident, now):
        _num, duration = self.rate
        return [t for t in cache.get(self._key(ident), []) if t > now - duration]

    def wait(self, ident):
        """Seconds until `ident` may try again, or None if it may try now."""
        now = time.time()
        num, duration = self.rate
        recent = self._recent(ident, now)
        if len(recent) < num:
            return None
        return max(1.0, recent[-num] + duration - now)

    def record_failure(self, ident):
        now = time.time()
        _num, duration = self.rate
        recent = self._recent(ident, now) + [now]
        cache.set(self._key(ident), recent, duration)

    def reset(self, ident):
        cache.delete(self._key(ident))


ACCOUNT = FailureCounter("login")
ADDRESS = FailureCounter("login_address")


def client_address(request):
    """The caller's address, honouring REST_FRAMEWORK["NUM_PROXIES"] like DRF's throttles."""
    return BaseThrottle().get_ident(request)
