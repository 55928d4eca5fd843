"""Operations on accounts that several doors share (API, admin, pages, shell).

`user_revoke_access` is called by the signal in `accounts.signals` whenever a
password changes or an account is deactivated, so no door can forget it.
"""
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

DB_SESSION_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def user_revoke_access(*, user, now=None):
    """End everything `user` opened with his old password or while active.

    1. Blacklist every outstanding refresh token of the user (simplejwt's
       token_blacklist), so none refreshes again, even after a reactivation:
       blacklisted is forever.
    2. Delete every web session of the user. Django already ignores a session
       whose password hash is stale, and refuses an inactive user, but a
       session survives a deactivation followed by a reactivation; deleting
       it makes "deactivated" mean "signed out everywhere". A page that
       changes the signed-in person's own password keeps that one session
       with `update_session_auth_hash` after the save.

    Access tokens are not stored: they carry a hash of the password hash
    (SIMPLE_JWT CHECK_REVOKE_TOKEN) and JWTAuthentication reads `is_active` on
    every request, so they stop at once too.
    """
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    if settings.SESSION_ENGINE in DB_SESSION_ENGINES:
        _delete_sessions_of(user, now=now or timezone.now())


def _delete_sessions_of(user, *, now):
    # Sessions are signed blobs with no user column: each live one is decoded.
    # A factory has a few hundred at most; a password change is rare.
    user_id = str(user.pk)
    keys = [s.session_key for s in Session.objects.filter(expire_date__gt=now).iterator()
            if str(s.get_decoded().get("_auth_user_id")) == user_id]
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
        from django.contrib.sessions.backends.cached_db import SessionStore

        for key in keys:
            SessionStore(session_key=key).delete()


# Rows that point at a user without being his history: his own sign-in tokens.
NOT_HISTORY = {"token_blacklist.outstandingtoken"}


class UserHasHistory(Exception):
    """The account left traces (tickets, timeline rows, comments…): deactivate it instead."""

    def __init__(self, kinds):
        self.kinds = kinds
        super().__init__(", ".join(str(k) for k in kinds))


def user_history(user):
    """What the person left in the database, as model names ("tickets", "commentaires"…); [] if nothing.

    Read from the model graph rather than listed by hand: any app that later
    adds a row pointing at a user (messages, plans…) counts without a change
    here. One EXISTS query per relation.
    """
    kinds = []
    for relation in type(user)._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        model = relation.related_model
        if model._meta.auto_created or model._meta.label_lower in NOT_HISTORY:
            continue  # Group/permission link tables; tokens.
        if model._default_manager.filter(**{relation.field.name: user}).exists():
            name = model._meta.verbose_name_plural
            if name not in kinds:
                kinds.append(name)
    return kinds


def user_delete(*, user):
    """Delete an account that left no trace; raise UserHasHistory otherwise.

    A person with any history is deactivated, never deleted: deleting would
    unassign his tickets without a timeline row (and stop their alerts), and
    blank the author of his timeline rows and comments. The check and the
    deletion run in one transaction, with the user's row locked.
    """
    with transaction.atomic():
        locked = type(user).objects.select_for_update().get(pk=user.pk)
        kinds = user_history(locked)
        if kinds:
            raise UserHasHistory(kinds)
        locked.delete()
