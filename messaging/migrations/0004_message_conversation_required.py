import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_conversations_of_existing_messages")]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="conversation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="messages",
                                    to="messaging.conversation", verbose_name="conversation"),
        ),
    ]
