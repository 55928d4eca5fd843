from django import template

from planning import selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def machine_plans(context, machine):
    """The preventive plans of `machine` for its page (machines' hook), or None when the reader may not see
    plans (those who see every ticket, or manage plans, do)."""
    user = context["request"].user
    if not (services.can_manage(user) or user.has_perm("tickets.view_all_tickets")):
        return None
    return selectors.plans_for_list(user, machine=machine)
