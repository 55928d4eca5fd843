"""Give supervisors the right to remove anyone's photo or video (tickets.delete_media).

Administrators already hold every permission. Only this one is added, to the roles the matrix
(accounts/roles.py) gives it to; nothing else is re-granted, so rights staff removed in the admin
stay removed. Everyone else may still remove the files he added himself (tickets.policies).
"""
from django.db import migrations

from accounts.roles import grant_new_permission

PERMISSION = "tickets.delete_media"


def grant(apps, schema_editor):
    grant_new_permission(apps, PERMISSION)


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
