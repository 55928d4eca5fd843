"""The demo's messages (`manage.py seed_demo`): a few in the public channel and one private conversation, so
the Messages page is not empty. Created once (when the public channel has no message yet)."""
from .models import Message
from .services import message_send, private_conversation, public_channel


def seed_messages(*, supervisor, technician, technician2, out=print):
    channel = public_channel()
    if Message.objects.filter(conversation=channel).exists():
        return 0
    lines = [
        (channel, supervisor, "Bonjour à tous : la ligne de trempe redémarre à 14 h."),
        (channel, technician, "Bien reçu, je passe vérifier le four avant."),
        (private_conversation(user=technician, other=technician2), technician2,
         "Salut, peux-tu regarder la courroie de la découpe cet après-midi ?"),
    ]
    for conversation, sender, content in lines:
        message_send(conversation=conversation, sender=sender, content=content)
    out(f"  {len(lines)} messages")
    return len(lines)
