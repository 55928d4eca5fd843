"""Give the new "receives overdue digests" right (notifications.receive_overdue_digest) to the administrators.

Its holders get an e-mail for every overdue ticket even when it is not theirs, so a factory
without Pabbly still gets the seed's e-mail to the administrator. Only this permission is added,
to the roles the matrix (accounts/roles.py) gives it to; rights staff removed stay removed.
"""
from django.db import migrations

from accounts.roles import grant_new_permission

PERMISSION = "notifications.receive_overdue_digest"


def grant(apps, schema_editor):
    grant_new_permission(apps, PERMISSION)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="notifications", codename="receive_overdue_digest").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_grant_take_ticket"),
        ("notifications", "0006_people_notifications"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
