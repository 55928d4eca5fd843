"""Give "manage preventive plans" (planning.manage_plans) to the roles the matrix names (accounts/roles.py:
administrators, supervisors, coordinators, planners, team leaders). Add-only."""
from django.db import migrations

from accounts.roles import grant_new_permission

PERMISSION = "planning.manage_plans"


def grant(apps, schema_editor):
    grant_new_permission(apps, PERMISSION)


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_plans"),
        ("accounts", "0006_merge_media_and_digest_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
