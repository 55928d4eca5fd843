"""Each message already imported lands in its conversation (the public channel, or its pair's), and the
messaging permissions go to their roles (accounts.roles.ROLE_PERMISSIONS)."""
from django.db import migrations

from accounts.roles import grant_new_permission

PERMISSIONS = ["messaging.send_message", "messaging.send_audio", "messaging.read_public_channel",
               "messaging.delete_any_message"]


def file_messages(apps, schema_editor):
    Conversation = apps.get_model("messaging", "Conversation")
    Message = apps.get_model("messaging", "Message")
    public = None
    pairs = {}
    for message in Message.objects.filter(conversation__isnull=True).order_by("created_at", "id").iterator():
        if message.recipient_id is None:
            if public is None:
                public, _ = Conversation.objects.get_or_create(kind="public")
            conversation = public
        else:
            key = tuple(sorted((message.sender_id, message.recipient_id)))
            conversation = pairs.get(key)
            if conversation is None:
                conversation, _ = Conversation.objects.get_or_create(kind="private", first_id=key[0],
                                                                     second_id=key[1])
                pairs[key] = conversation
        message.conversation = conversation
        message.save(update_fields=["conversation"])
        conversation.last_message_at = message.created_at
        conversation.save(update_fields=["last_message_at"])


def grant(apps, schema_editor):
    for permission in PERMISSIONS:
        grant_new_permission(apps, permission)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_conversations"), ("accounts", "0006_merge_media_and_digest_permissions")]

    operations = [
        migrations.RunPython(file_messages, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
