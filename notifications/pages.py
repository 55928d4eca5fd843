"""Pages of the notifications app for people (not the API).

`preferences_by_token` is the one-click link of every e-mail: it opens the
notification preferences of the person the signed token names, without signing
in (the token is the proof: it came in their mailbox). Minimal on purpose — the
preferences page proper (bell, per-device push) is built on
`notifications.preferences` by the web pages.
"""
from datetime import time

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .models import Channel, Kind
from .preferences import preference_for, preference_set, user_from_preferences_token


def _time(value):
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


@never_cache
@csrf_protect
def preferences_by_token(request, token):
    user = user_from_preferences_token(token)
    if user is None:
        return render(request, "notifications/preferences_token.html",
                      {"invalid": True}, status=404)
    saved = False
    if request.method == "POST":
        choices = {(kind, channel): f"{kind}:{channel}" in request.POST
                   for kind in Kind.values for channel in Channel.values}
        start, end = _time(request.POST.get("quiet_start")), _time(request.POST.get("quiet_end"))
        if (start is None) != (end is None):
            return HttpResponseBadRequest(_("Indiquez le début et la fin des heures de silence, ou aucun des deux."))
        preference_set(user=user, choices=choices, quiet_start=start, quiet_end=end, now=timezone.now())
        saved = True
    pref = preference_for(user)
    return render(request, "notifications/preferences_token.html", {
        "person": user, "rows": pref.matrix(), "channels": Channel.choices, "pref": pref, "saved": saved,
    })
