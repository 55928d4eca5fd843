"""Who may do what to a machine (the object-level rules beside the Django permissions)."""
from tickets import policies as ticket_policies


def can_manage(user):
    """Edit machines, print their labels, change their status from the machine page."""
    return user.is_authenticated and user.is_active and user.has_perm("tickets.change_machine")


def can_change_status(user, *, ticket=None):
    """`tickets.change_machine`, or the person reporting or working the ticket that stops the machine:
    the operator standing at a stopped machine says so with his report, without the right to edit machines."""
    if can_manage(user):
        return True
    return ticket is not None and (ticket.reporter_id == user.pk or ticket_policies.can_edit(user, ticket))


def can_print_labels(user):
    return can_manage(user)
