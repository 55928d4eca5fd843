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


PLANS_TEMPLATE = "planning/_machine_plans.html"


@register.simple_tag(takes_context=True)
def preventive_plans(context, machine):
    """The hook for the preventive plans of `machine`: renders planning/_machine_plans.html (with `machine`
    and the request's context) when an app provides that template, nothing otherwise. machines does not
    depend on the planning app; the planning app only has to ship the template."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        template = get_template(PLANS_TEMPLATE)
    except TemplateDoesNotExist:
        return ""
    return template.render({**context.flatten(), "machine": machine}, context.get("request"))
