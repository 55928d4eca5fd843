"""Give the new "Je m'en occupe" right (tickets.take_ticket) to the role groups that already exist.

Only this one permission is added, to the roles the matrix (accounts/roles.py) gives it to and to
the administrators; nothing else is re-granted, so rights staff removed in the admin stay removed.
"""
from django.db import migrations

from accounts.roles import grant_new_permission

PERMISSION = "tickets.take_ticket"


def grant(apps, schema_editor):
    grant_new_permission(apps, PERMISSION)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="tickets", codename="take_ticket").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        ("tickets", "0004_take_ticket_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
