"""
The fourteen roles of the original application, and what each may do.

A role is a Django Group of the same name; its permissions are ordinary Django
permissions, so staff can adjust them in the admin. This module is the starting
matrix, applied by a data migration (and again by `manage.py sync_roles`); it
only *adds* permissions, so what staff granted in the admin is never taken back.

Object-level rules that a permission cannot express (an operator sees only his
own tickets; a supervisor cannot touch an admin) live in `tickets.policies` and
`accounts.policies`.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    DIRECTOR = "director", _("Directeur")
    SUPERVISOR = "supervisor", _("Superviseur")
    COORDINATOR = "coordinator", _("Coordonnateur")
    PLANNER = "planner", _("Planificateur")
    SENIOR_TECHNICIAN = "senior_technician", _("Technicien senior")
    TECHNICIAN = "technician", _("Technicien")
    TEAM_LEADER = "team_leader", _("Chef d'équipe")
    FURNACE_OPERATOR = "furnace_operator", _("Opérateur de four")
    OPERATOR = "operator", _("Opérateur")
    SAFETY_OFFICER = "safety_officer", _("Agent de sécurité")
    QUALITY_INSPECTOR = "quality_inspector", _("Inspecteur qualité")
    STOREKEEPER = "storekeeper", _("Magasinier")
    VIEWER = "viewer", _("Lecteur")


# Roles whose members may open the Django admin.
STAFF_ROLES = {Role.ADMIN, Role.SUPERVISOR}

# Roles whose members can be given a ticket to work on.
TECHNICIAN_ROLES = {Role.TECHNICIAN, Role.SENIOR_TECHNICIAN, Role.TEAM_LEADER}

_VIEW_MACHINES = ["tickets.view_machine"]
_REPORT = ["tickets.add_ticket", "tickets.view_ticket", "tickets.comment_ticket", "tickets.upload_media"]
_SEE_ALL = ["tickets.view_all_tickets"]
_WORK = ["tickets.move_ticket", "tickets.change_ticket"]
_DISPATCH = ["tickets.assign_ticket", "tickets.schedule_ticket"]
# "Je m'en occupe": whoever can be given a ticket (and those who dispatch them) may take an unassigned one.
_TAKE = ["tickets.take_ticket"]
_MANAGE_MACHINES = ["tickets.add_machine", "tickets.change_machine", "tickets.delete_machine"]
_MANAGE_USERS = ["accounts.view_user", "accounts.add_user", "accounts.change_user", "accounts.delete_user"]
# Preventive maintenance plans (planning app): who sets up the recurring work.
_PLANS = ["planning.manage_plans"]
_ALERTS = ["notifications.view_webhooknotification", "notifications.run_overdue_check"]
# Team messaging (messaging app): everyone writes, by text and by voice, in the public channel and privately;
# the read-only "viewer" only reads the public channel. Deleting others' messages: supervisors (and admins, "*").
# No permission opens someone else's private conversation on the pages or the API (README, "Team messaging").
_CHAT = ["messaging.read_public_channel", "messaging.send_message", "messaging.send_audio"]
# The reports page, its CSV and the ticket export (reports app; granted by reports/0002).
_REPORTS = ["reports.view_reports"]
# "notifications.receive_overdue_digest" (an e-mail for every overdue ticket, assigned to them or not)
# is held by the administrators only, through "*": the seed e-mailed one administrator through Pabbly.
# Give it to another role here (and in a data migration, like accounts 0005) to widen it.

# "*" means every permission of the project.
ROLE_PERMISSIONS = {
    Role.ADMIN: ["*"],
    Role.SUPERVISOR: _REPORT + _SEE_ALL + _WORK + _DISPATCH + _TAKE + _VIEW_MACHINES + _MANAGE_MACHINES
    + _MANAGE_USERS + _ALERTS + _PLANS + _REPORTS + ["tickets.delete_ticket", "tickets.view_comment",
                                                     "tickets.view_media", "tickets.view_timelineentry",
                                                     "tickets.delete_media"]
    + _CHAT + ["messaging.delete_any_message"],
    Role.DIRECTOR: _REPORT + _SEE_ALL + _DISPATCH + _VIEW_MACHINES + _REPORTS + ["accounts.view_user",
                                                                                 "notifications.view_webhooknotification"]
    + _CHAT,
    Role.COORDINATOR: _REPORT + _SEE_ALL + _WORK + _DISPATCH + _VIEW_MACHINES + _PLANS + _REPORTS
    + ["accounts.view_user", "notifications.view_webhooknotification"] + _CHAT,
    Role.PLANNER: _REPORT + _SEE_ALL + _DISPATCH + _VIEW_MACHINES + _PLANS + _REPORTS
    + ["accounts.view_user", "notifications.view_webhooknotification"] + _CHAT,
    Role.TEAM_LEADER: _REPORT + _SEE_ALL + _WORK + _DISPATCH + _TAKE + _VIEW_MACHINES + _PLANS + _CHAT,
    Role.SENIOR_TECHNICIAN: _REPORT + _SEE_ALL + _WORK + _TAKE + ["tickets.assign_ticket", "tickets.change_machine"]
    + _VIEW_MACHINES + _CHAT,
    Role.TECHNICIAN: _REPORT + _SEE_ALL + _WORK + _TAKE + _VIEW_MACHINES + _CHAT,
    Role.SAFETY_OFFICER: _REPORT + _SEE_ALL + _VIEW_MACHINES + _CHAT,
    Role.QUALITY_INSPECTOR: _REPORT + _SEE_ALL + _VIEW_MACHINES + _CHAT,
    Role.STOREKEEPER: _REPORT + _SEE_ALL + _VIEW_MACHINES + ["tickets.move_ticket"] + _CHAT,
    Role.FURNACE_OPERATOR: _REPORT + _VIEW_MACHINES + _CHAT,
    Role.OPERATOR: _REPORT + _VIEW_MACHINES + _CHAT,
    Role.VIEWER: ["tickets.view_ticket"] + _SEE_ALL + _VIEW_MACHINES + ["messaging.read_public_channel"],
}


def seed_roles(apps, schema_editor=None):
    """Create one Group per role and grant it the matrix above (add-only).

    Takes the migration's `apps` so it can run from a data migration; it creates
    missing Permission rows first, because Django only creates them after the
    last migration has run (post_migrate), too late for a data migration.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    all_perms = list(Permission.objects.all())
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in
               Permission.objects.select_related("content_type")}
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        if names == ["*"]:
            group.permissions.add(*all_perms)
        else:
            group.permissions.add(*[by_name[n] for n in names if n in by_name])


def grant_new_permission(apps, permission):
    """Give one permission added by a later release ("app.codename") to the role groups the matrix gives it
    to (and to the roles holding "*"), for a data migration. Add-only: nothing else is re-granted, so rights
    staff removed in the admin stay removed. Creates the Permission row first (Django would only create it
    after the last migration, post_migrate)."""
    from django.contrib.auth.management import create_permissions

    app_label, codename = permission.split(".")
    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    row = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    roles = [role.value for role, names in ROLE_PERMISSIONS.items() if names == ["*"] or permission in names]
    for group in Group.objects.filter(name__in=roles):
        group.permissions.add(row)
