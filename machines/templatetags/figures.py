from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value):
    """A timedelta as a person reads it: « 2 j 3 h », « 3 h 05 min », « 45 min »; « — » for none.
    Past a day the minutes are noise, and they would widen every table on a phone."""
    if value is None:
        return "—"
    minutes = int(round(value.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s j %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": mins}
    return _("%(m)s min") % {"m": mins}


@register.filter
def hours(value):
    """A timedelta in hours with one decimal (tables and CSV: a number a spreadsheet can add up)."""
    return "—" if value is None else f"{value.total_seconds() / 3600:.1f}"
