"""Give the reports page (reports.view_reports) to the roles the matrix (accounts/roles.py) names:
admin (every permission), director, supervisor, coordinator and planner. Add-only."""
from django.db import migrations

from accounts.roles import grant_new_permission

PERMISSION = "reports.view_reports"


def grant(apps, schema_editor):
    grant_new_permission(apps, PERMISSION)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="reports", codename="view_reports").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("accounts", "0006_merge_media_and_digest_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
