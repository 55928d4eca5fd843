"""DRF permission classes: thin adapters over tickets.policies and accounts.policies.

A permission is checked against the database on every request: the JWT carries
only the user's id, so a role changed in the admin counts from the next call.
Object checks run after the lookup in `visible_to(user)`: a ticket the caller
may not see is a 404 before any of these are asked.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions

from accounts import policies as account_policies
from tickets import policies


class TicketPolicy(BasePermission):
    """Maps each ticket action to the policy that decides it."""

    message = _("Votre rôle ne permet pas cette action sur ce ticket.")

    OBJECT_RULES = {
        "partial_update": policies.can_edit,
        "update": policies.can_edit,
        "destroy": policies.can_delete,
        "move": policies.can_move,
        "assign": policies.can_assign,
        "schedule": policies.can_schedule,
    }
    MESSAGES = {
        "create": _("Votre rôle ne permet pas de signaler un problème."),
        "partial_update": _("Votre rôle ne permet pas de modifier ce ticket."),
        "update": _("Votre rôle ne permet pas de modifier ce ticket."),
        "destroy": _("Seuls les superviseurs et les administrateurs suppriment un ticket."),
        "move": _("Votre rôle ne permet pas de changer le statut de ce ticket."),
        "assign": _("Votre rôle ne permet pas d'assigner ce ticket."),
        "schedule": _("Votre rôle ne permet pas de planifier ce ticket."),
        "comments": _("Votre rôle ne permet pas de commenter ce ticket."),
        "media": _("Votre rôle ne permet pas d'ajouter des fichiers à ce ticket."),
    }

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if view.action == "create":
            self.message = self.MESSAGES["create"]
            return policies.can_report(request.user)
        return True

    def has_object_permission(self, request, view, ticket):
        rule = self.OBJECT_RULES.get(view.action)
        if view.action == "comments" and request.method not in SAFE_METHODS:
            rule = policies.can_comment
        elif view.action == "media" and request.method not in SAFE_METHODS:
            rule = policies.can_upload
        if rule is None:
            return True  # Reading: the lookup in visible_to() already decided.
        self.message = self.MESSAGES.get(view.action, self.message)
        return rule(request.user, ticket)


class ModelPermissions(DjangoModelPermissions):
    """DjangoModelPermissions that also requires `view_*` to read."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }
    message = _("Votre rôle ne permet pas cette action.")


class UserPolicy(ModelPermissions):
    """Account management: supervisors never touch an administrator's account."""

    def has_permission(self, request, view):
        if view.action == "technicians":
            self.message = _("Seules les personnes qui assignent des tickets voient cette liste.")
            return bool(request.user and request.user.is_authenticated
                        and account_policies.can_list_technicians(request.user))
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, target):
        user = request.user
        if request.method in SAFE_METHODS:
            return True
        if view.action == "destroy":
            if user.pk == target.pk:
                self.message = _("Vous ne pouvez pas supprimer votre propre compte.")
            else:
                self.message = _("Seul un administrateur peut gérer le compte d'un administrateur.")
            return account_policies.can_delete_user(user, target)
        self.message = _("Seul un administrateur peut gérer le compte d'un administrateur.")
        return account_policies.can_change_user(user, target)
