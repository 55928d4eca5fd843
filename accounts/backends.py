"""Authentication backends (settings.AUTHENTICATION_BACKENDS)."""
from axes.backends import AxesStandaloneBackend


class SignInLimitBackend(AxesStandaloneBackend):
    """Refuses a sign-in whose (account, address) pair or address is locked, before
    any password is hashed (accounts/signin_limit.py).

    A call without a request (the shell, a test client's `login()`) is no door
    anyone can knock on from outside, and has no address to count: it goes
    straight to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
