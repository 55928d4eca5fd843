"""Who may manage whose account: the rules a Django permission cannot express.

`accounts.change_user` says a role may manage accounts in general; these
functions add that a supervisor never touches an administrator's account nor
hands out the administrator role, and that nobody deletes or demotes himself
(the factory would be left without anyone able to undo it).
"""
from .roles import Role


def can_view_users(actor):
    return actor.has_perm("accounts.view_user")


def can_list_technicians(actor):
    """Assignment pickers: whoever may assign a ticket, or may see the accounts."""
    return actor.has_perm("tickets.assign_ticket") or actor.has_perm("accounts.view_user")


def _may_touch(actor, target):
    return actor.is_admin or target.role != Role.ADMIN


def can_create_user(actor):
    return actor.has_perm("accounts.add_user")


def can_change_user(actor, target):
    return actor.has_perm("accounts.change_user") and _may_touch(actor, target)


def can_delete_user(actor, target):
    return actor.has_perm("accounts.delete_user") and _may_touch(actor, target) and actor.pk != target.pk


def can_grant_role(actor, role):
    """Only an administrator makes someone an administrator."""
    return actor.is_admin or role != Role.ADMIN
