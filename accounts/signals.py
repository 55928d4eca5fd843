"""A password change or a deactivation revokes the person's tokens and sessions.

Signals, because the doors are many: the API (`PATCH /api/users/<id>`, the
own-password endpoint), the admin's user form and its password form, a
`set_password()` in the shell, the import. Comparing with the stored row
catches them all; a view that forgot to call a service could not.
A hash upgrade on sign-in (`check_password` re-hashing with the preferred
hasher) changes the stored hash but not the password: it revokes nothing.
"""
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import User
from .services import user_revoke_access

WATCHED = {"password", "is_active"}


@receiver(pre_save, sender=User, dispatch_uid="accounts_remember_access_state")
def remember_access_state(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        return  # e.g. last_login on every sign-in: no extra query.
    instance._access_before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()


@receiver(post_save, sender=User, dispatch_uid="accounts_revoke_access_on_change")
def revoke_access_on_change(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_access_before", None)
    if raw or before is None:
        return
    password_changed = before["password"] != instance.password and not instance.upgrading_password_hash
    deactivated = before["is_active"] and not instance.is_active
    if password_changed or deactivated:
        user_revoke_access(user=instance)
