"""One brute-force limit for every sign-in door: the page, the admin and the API.

django-axes does the counting (see settings, "Sign-in limit"); this module holds
what is ours:

- who is counted: the e-mail as the account is stored (trimmed, lower case, so
  "Alice@x" and "alice@x" are one account) and the client's address as the
  proxy saw it (`NUM_PROXIES`);
- a second, looser count per address alone (axes knows one limit only), so one
  machine trying many accounts is slowed down too;
- when a lock ends, for the Retry-After header and the message;
- what a locked door answers: 429 and a French (or English) message.

Failures are counted per (account, address) pair first: someone guessing
Alice's password from elsewhere locks only his own pair, never Alice at her
own post. The counters are cache entries that expire one cool-off after the
failure that caused a lock, in the shared cache (settings.CACHES), so every
worker on every host sees the same count.
"""
import hashlib
import math
import time

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cache, get_cache_timeout, get_client_cache_keys, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext


def username_of(request, credentials=None):
    """The account a sign-in tries, as stored: the page and admin post `username`, the API `email`."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None:
        value = request.POST.get("username") or request.POST.get("email")
    return value.strip().lower() if isinstance(value, str) else None


def client_address(request):
    """The caller's address: REMOTE_ADDR, or behind NUM_PROXIES proxies the one the
    outermost of them appended to X-Forwarded-For (what the client wrote there itself is ignored)."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not settings.NUM_PROXIES or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",")]
    return addresses[-min(settings.NUM_PROXIES, len(addresses))]


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _address_key(address):
    return f"signin-address-{_digest(address or '')}"


def _addresses_of_key(username):
    return f"signin-addresses-of-{_digest(username or '')}"


def _until_key(counter_key):
    return f"{counter_key}-until"


class SignInLimitHandler(AxesCacheHandler):
    """axes' cache handler, plus the per-address count and the end time of each lock.

    The cache is looked up on each use rather than kept: tests give every test
    its own cache namespace.
    """

    def __init__(self):  # AxesCacheHandler keeps the cache object it found at start-up.
        pass

    @property
    def cache(self):
        return get_cache()

    def _bump(self, key, timeout):
        """+1 on a counter that lives `timeout` seconds after its last failure (atomic on Redis)."""
        if self.cache.add(key, 1, timeout):
            return 1
        try:
            failures = self.cache.incr(key)
        except ValueError:  # Expired between add() and incr().
            self.cache.add(key, 1, timeout)
            return 1
        self.cache.touch(key, timeout)
        return failures

    def is_locked(self, request, credentials=None):
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        return super().is_locked(request, credentials) or bool(
            limit and self.cache.get(_address_key(request.axes_ip_address), 0) >= limit
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # True when the limit refused the try: it is not counted, so the lock does not grow.
        refused = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or refused:
            return
        timeout = get_cache_timeout(request)
        lock_ends = time.time() + timeout
        if (request.axes_failures_since_start or 0) >= get_failure_limit(request, credentials):
            for key in get_client_cache_keys(request, credentials):
                self.cache.set(_until_key(key), lock_ends, timeout)
        self._remember_address(username_of(request, credentials), request.axes_ip_address, timeout)
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if limit and self._bump(_address_key(request.axes_ip_address), timeout) >= limit:
            self.cache.set(_until_key(_address_key(request.axes_ip_address)), lock_ends, timeout)
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def _remember_address(self, username, address, timeout):
        """Where an account failed from, so that an admin can unlock it by e-mail alone."""
        key = _addresses_of_key(username)
        addresses = set(self.cache.get(key, ()))
        if address not in addresses:
            self.cache.set(key, sorted(addresses | {address}), timeout)

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False):
        """`axes_reset_ip_username`, `axes_reset_username` and `axes_reset_ip` all work:
        by e-mail alone, every address the account failed from is cleared."""
        username = username.strip().lower() if username else None
        count = 0
        if username and ip_address is None:
            addresses = self.cache.get(_addresses_of_key(username), ())
            self.cache.delete(_addresses_of_key(username))
            for address in addresses:
                count += self.reset_attempts(ip_address=address, username=username)
            return count
        for key in get_client_cache_keys(AccessAttempt(username=username, ip_address=ip_address)):
            count += int(bool(self.cache.delete(key)))
            self.cache.delete(_until_key(key))
        if ip_address and not username:
            count += int(bool(self.cache.delete(_address_key(ip_address))))
            self.cache.delete(_until_key(_address_key(ip_address)))
        return count


def is_locked_out(request):
    """True once the limit refused (or has just locked) this sign-in."""
    return bool(getattr(request, "axes_locked_out", False))


def seconds_locked(request):
    """Seconds until a locked request's pair or address may try again (at least 1)."""
    cache = get_cache()
    keys = get_client_cache_keys(request, getattr(request, "axes_credentials", None))
    keys.append(_address_key(getattr(request, "axes_ip_address", None)))
    ends = cache.get_many([_until_key(k) for k in keys]).values()
    remaining = max(ends, default=0) - time.time()
    if remaining <= 0:  # Not recorded (cache emptied meanwhile): the whole cool-off.
        remaining = get_cache_timeout(request)
    return max(1, math.ceil(remaining))


def lockout_message(seconds):
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Trop de tentatives de connexion échouées. Réessayez dans %(minutes)d minute.",
        "Trop de tentatives de connexion échouées. Réessayez dans %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """What a locked door answers (axes' AXES_LOCKOUT_CALLABLE).

    The sign-in page and the API answer their own 429 (the page with its form,
    the API in its JSON shape); the admin's login gets a short page.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response
    seconds = seconds_locked(request)
    response = render(request, "registration/locked_out.html", {
        "message": lockout_message(seconds), "retry_url": request.get_full_path(),
    }, status=429)
    response["Retry-After"] = str(seconds)
    return response

