"""Give the new "Je m'en occupe" right (tickets.take_ticket) to the role groups that already exist.

Only this one permission is added, to the roles the matrix (accounts/roles.py) gives it to and to
the administrators; nothing else is re-granted, so rights staff removed in the admin stay removed.
"""
from django.db import migrations

from accounts.roles import ROLE_PERMISSIONS

PERMISSION = "tickets.take_ticket"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Django creates Permission rows only after the last migration (post_migrate); create this one now.
    tickets = apps.get_app_config("tickets")
    models_module = getattr(tickets, "models_module", None)
    tickets.models_module = models_module or True
    create_permissions(tickets, verbosity=0)
    tickets.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="tickets", codename="take_ticket")
    roles = [role.value for role, names in ROLE_PERMISSIONS.items() if names == ["*"] or PERMISSION in names]
    for group in Group.objects.filter(name__in=roles):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="tickets", codename="take_ticket").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        ("tickets", "0004_take_ticket_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
