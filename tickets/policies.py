"""Who may do what to a ticket: the object-level rules every caller shares.

A Django permission says what a role may do in general (`move_ticket`); these
functions add what it cannot express: the ticket must be one the person may see
(an operator sees only his own). The API, the pages and the services call them,
so a rule never lives in a template or a view.
"""


def can_view(user, ticket):
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("tickets.view_all_tickets"):
        return True
    return ticket.reporter_id == user.pk or ticket.assigned_to_id == user.pk


def can_move(user, ticket=None):
    """Without a ticket: may this person move tickets at all (the board's drag handles)."""
    return user.has_perm("tickets.move_ticket") and (ticket is None or can_view(user, ticket))


def allowed_moves(user, ticket):
    return ticket.allowed_statuses() if can_move(user, ticket) else ()


def can_edit(user, ticket):
    return user.has_perm("tickets.change_ticket") and can_view(user, ticket)


def can_assign(user, ticket=None):
    return user.has_perm("tickets.assign_ticket") and (ticket is None or can_view(user, ticket))


def can_take(user, ticket):
    """"Je m'en occupe": a ticket nobody has yet, still to be worked on, taken by someone whose role may."""
    return (user.has_perm("tickets.take_ticket") and can_view(user, ticket) and not ticket.is_assigned
            and ticket.status not in (ticket.Status.COMPLETED, ticket.Status.ARCHIVED))


def can_schedule(user, ticket=None):
    return user.has_perm("tickets.schedule_ticket") and (ticket is None or can_view(user, ticket))


def can_comment(user, ticket):
    return user.has_perm("tickets.comment_ticket") and can_view(user, ticket)


def can_upload(user, ticket):
    return user.has_perm("tickets.upload_media") and can_view(user, ticket)


def can_delete_media(user, media, ticket=None):
    """Remove one photo or video: whoever sent it (while he may still add files to the ticket),
    or a role with `tickets.delete_media` (supervisors, admins) for any file of a ticket they see.

    `ticket` saves a query when the caller already holds the media's ticket.
    """
    ticket = ticket or media.ticket
    if not can_view(user, ticket):
        return False
    if user.has_perm("tickets.delete_media"):
        return True
    return media.uploaded_by_id == user.pk and user.has_perm("tickets.upload_media")


def can_delete(user, ticket):
    return user.has_perm("tickets.delete_ticket") and can_view(user, ticket)


def can_report(user):
    return user.has_perm("tickets.add_ticket")


def can_view_alerts(user, ticket):
    return user.has_perm("notifications.view_webhooknotification") and can_view(user, ticket)


def moves_by_status(user, statuses):
    """{status: [statuses a ticket there may move to]} for this person, for a page showing many tickets
    (the board's drag and drop). The same rule as `allowed_moves`, read once for the page rather than
    per card: every ticket on the board is one he may see. Empty for someone who may not move tickets."""
    from .models import Ticket

    if not can_move(user):
        return {}
    return {status: list(Ticket.TRANSITIONS.get(status, ())) for status in statuses}
