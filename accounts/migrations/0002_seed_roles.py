"""One Group per role with the starting permission matrix (accounts/roles.py)."""
from django.db import migrations

from accounts.roles import seed_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tickets", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
