"""Give supervisors the right to remove anyone's photo or video (tickets.delete_media).

Administrators already hold every permission. Only this one is added, to the roles the matrix
(accounts/roles.py) gives it to; nothing else is re-granted, so rights staff removed in the admin
stay removed. Everyone else may still remove the files he added himself (tickets.policies).
"""
from django.db import migrations

from accounts.roles import ROLE_PERMISSIONS

PERMISSION = "tickets.delete_media"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Django creates Permission rows only after the last migration (post_migrate); create them now.
    tickets = apps.get_app_config("tickets")
    models_module = getattr(tickets, "models_module", None)
    tickets.models_module = models_module or True
    create_permissions(tickets, verbosity=0)
    tickets.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="tickets", codename="delete_media")
    roles = [role.value for role, names in ROLE_PERMISSIONS.items() if names == ["*"] or PERMISSION in names]
    for group in Group.objects.filter(name__in=roles):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="tickets", codename="delete_media").first()
    if permission:
        for group in Group.objects.exclude(name="admin"):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_grant_take_ticket"),
        ("tickets", "0005_media_thumbnail"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
