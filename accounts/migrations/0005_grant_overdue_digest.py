"""Give the new "receives overdue digests" right (notifications.receive_overdue_digest) to the administrators.

Its holders get an e-mail for every overdue ticket even when it is not theirs, so a factory
without Pabbly still gets the seed's e-mail to the administrator. Only this permission is added,
to the roles the matrix (accounts/roles.py) gives it to; rights staff removed stay removed.
"""
from django.db import migrations

from accounts.roles import ROLE_PERMISSIONS

PERMISSION = "notifications.receive_overdue_digest"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Django creates Permission rows only after the last migration (post_migrate); create this one now.
    notifications = apps.get_app_config("notifications")
    models_module = getattr(notifications, "models_module", None)
    notifications.models_module = models_module or True
    create_permissions(notifications, verbosity=0)
    notifications.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="notifications", codename="receive_overdue_digest")
    roles = [role.value for role, names in ROLE_PERMISSIONS.items() if names == ["*"] or PERMISSION in names]
    for group in Group.objects.filter(name__in=roles):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="notifications", codename="receive_overdue_digest").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_grant_take_ticket"),
        ("notifications", "0006_people_notifications"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
