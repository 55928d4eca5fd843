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

    def get_all_permissions(self, user_obj, obj=None):
        """Every permission of the person, own and through the role's group, in ONE query (Django's
        ModelBackend makes two). Being first in AUTHENTICATION_BACKENDS, this fills the per-request
        `_perm_cache` that ModelBackend reads too, so a page pays one query for its permission checks,
        whichever backend signed the person in."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            from django.contrib.auth.models import Permission
            from django.db.models import Q

            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = perms.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app}.{codename}"
                for app, codename in perms.values_list("content_type__app_label", "codename").distinct()
            }
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and any(p.partition(".")[0] == app_label for p in self.get_all_permissions(user_obj))
