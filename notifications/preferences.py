"""Who wants what: per-person notification preferences, and the signed link of the e-mails.

- `preferences_for(users)` — one query for any number of people; a person
  without a row gets an unsaved `NotificationPreference` with the defaults
  (`models.DEFAULT_CHANNELS`: push for every kind, e-mail for overdue tickets).
- `preference_for(user)` — the same for one person (the preferences page).
- `preference_set(user=, choices=, quiet_start=, quiet_end=)` — what the
  preferences page saves. Only choices that differ from the default are
  stored, so a later change of default reaches everybody who did not decide.
- `preferences_token(user)` / `user_from_preferences_token(token)` — the
  one-click link of every e-mail ("change what I receive") works without
  signing in: a `django.core.signing` token naming the person, valid
  `NOTIFICATIONS_PREFERENCES_TOKEN_DAYS` days. It opens only that person's
  notification preferences, nothing else.
"""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone

from .models import DEFAULT_CHANNELS, Channel, Kind, NotificationPreference

TOKEN_SALT = "notifications.preferences"


def preferences_for(users):
    """{user_id: NotificationPreference} for `users` (objects or ids). One query."""
    ids = [getattr(u, "pk", u) for u in users]
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}
    return {uid: found.get(uid) or NotificationPreference(user_id=uid) for uid in ids}


def preference_for(user):
    """The person's preferences (unsaved defaults when they never chose). One query."""
    return preferences_for([user])[user.pk]


def preference_set(*, user, choices=None, quiet_start=None, quiet_end=None, now=None):
    """Save the person's choices: `choices` maps (kind, channel) → on/off; quiet hours in factory time.

    Unknown kinds or channels are refused (ValueError): a form bug must not
    store a key nothing reads. Returns the saved preference.
    """
    stored = {}
    for (kind, channel), on in (choices or {}).items():
        if kind not in Kind.values or channel not in Channel.values:
            raise ValueError(f"unknown kind/channel {kind!r}/{channel!r}")
        if bool(on) != (kind in DEFAULT_CHANNELS.get(channel, ())):
            stored[NotificationPreference.choice_key(kind, channel)] = bool(on)
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"choices": stored, "quiet_start": quiet_start, "quiet_end": quiet_end,
                             "updated_at": now or timezone.now()},
    )
    return pref


def preferences_token(user):
    """A signed token naming `user`, for the e-mails' one-click preferences link."""
    return signing.dumps({"u": user.pk}, salt=TOKEN_SALT, compress=True)


def user_from_preferences_token(token):
    """The active person a token names, or None (forged, expired, or the account is gone or disabled)."""
    max_age = timedelta(days=settings.NOTIFICATIONS_PREFERENCES_TOKEN_DAYS)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature.
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


def read_preferences_token(token):
    """(person, problem) for a one-click link: problem is "" (fine), "expired" or "invalid".

    The page tells an old link (ask for a new e-mail, or sign in) from a forged
    or mangled one; both show the person nothing and change nothing.
    """
    max_age = timedelta(days=settings.NOTIFICATIONS_PREFERENCES_TOKEN_DAYS)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
    user = get_user_model().objects.filter(pk=data.get("u") if isinstance(data, dict) else None,
                                           is_active=True).first()
    return user, ("" if user is not None else "invalid")


def preference_switch(*, user, kind, channel, on, now=None):
    """Turn one kind on one channel on or off, keeping every other choice and the quiet hours.

    The one-click link of the e-mails ("stop these by e-mail") and its undo.
    """
    pref = preference_for(user)
    choices = {(k, c): pref.wants(k, c) for k in Kind.values for c in Channel.values}
    if (kind, channel) not in choices:
        raise ValueError(f"unknown kind/channel {kind!r}/{channel!r}")
    choices[(kind, channel)] = bool(on)
    return preference_set(user=user, choices=choices, quiet_start=pref.quiet_start, quiet_end=pref.quiet_end,
                          now=now)
