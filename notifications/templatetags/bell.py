"""`{{ when|ago }}`: "à l'instant", "il y a 5 minutes", "il y a 2 heures" — one unit, the reader's language."""
from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(value, now=None):
    if not value:
        return ""
    now = now or timezone.now()
    if (now - value).total_seconds() < 60:
        return _("à l'instant")
    return _("il y a %(time)s") % {"time": timesince(value, now, depth=1)}
