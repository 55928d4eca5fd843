"""Read-only queries the pages and the API share. Each costs a fixed number of queries, whatever the
size of the conversation (tests/messaging/test_queries.py pins them).

- `conversations_for(user)` — the public channel (if his role reads it) and his private
  conversations, newest first, each with `unread`, its last message and its people: one query.
- `message_page(conversation, before=)` — a page of messages, newest first from `before` (a message
  id: keyset on (created_at, id), an index range scan at any depth), author joined: one query.
- `messages_after(conversation, after=)` — what arrived since the page was drawn (for the poll).
- `version(conversation)` — changes when a message arrives or is deleted: the poll's 204 test.
- `linkable_tickets(user, messages)` — the ticket numbers written in these messages that `user`
  may open: one query for a whole page (none when no message names a ticket).
"""
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Max, Q, Subquery

from tickets.models import Ticket

from .models import Conversation, Message

# IGP-<TYPE>-<MODEL>-<YYYYMMDD>-<NNN> (tickets.models.Ticket.build_ticket_id); machine names hold spaces.
TICKET_NUMBER = re.compile(r"\bIGP-[^\s-][^\n]{0,110}?-\d{8}-\d{3,}(?!\d)", re.IGNORECASE)


def conversations_for(user):
    return (Conversation.objects.for_user(user).with_unread(user).with_last_message()
            .select_related("first", "second")
            .order_by(F("kind").desc(), F("last_message_at").desc(nulls_last=True), "-pk"))


@dataclass
class Page:
    messages: list  # Oldest first, as the page shows them.
    has_older: bool

    @property
    def oldest_id(self):
        return self.messages[0].pk if self.messages else None

    @property
    def newest_id(self):
        return self.messages[-1].pk if self.messages else 0


def _rows(conversation):
    return conversation.messages.select_related("sender", "deleted_by").page_order()


def message_page(conversation, *, before=None, size=None):
    size = size or settings.MESSAGING_PAGE_SIZE
    rows = _rows(conversation)
    if before:
        at = Subquery(Message.objects.filter(pk=before, conversation=conversation).values("created_at")[:1])
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=before))
    found = list(rows[:size + 1])
    return Page(messages=found[:size][::-1], has_older=len(found) > size)


def messages_after(conversation, *, after, limit=200):
    return list(_rows(conversation).filter(pk__gt=after).order_by("created_at", "pk")[:limit])


def deleted_since(conversation, *, since):
    return list(_rows(conversation).filter(deleted_at__gt=since)[:200])


def version(conversation):
    """(newest message, last deletion) in one query: two index lookups, whatever the conversation's length."""
    rows = Message.objects.filter(conversation=conversation).order_by()
    facts = Conversation.objects.filter(pk=conversation.pk).values(
        newest=Subquery(rows.order_by("-created_at", "-id").values("pk")[:1]),
        deleted=Subquery(rows.filter(deleted_at__isnull=False).values("conversation")
                         .annotate(m=Max("deleted_at")).values("m")[:1]),
    ).first() or {"newest": 0, "deleted": None}
    deleted = facts["deleted"].timestamp() if facts["deleted"] else 0
    return f"{facts['newest'] or 0}.{deleted:.6f}"


def ticket_numbers(text):
    return {m.group(0).upper() for m in TICKET_NUMBER.finditer(text or "")}


def linkable_tickets(user, messages):
    numbers = set()
    for message in messages:
        numbers |= ticket_numbers(message.content)
    if not numbers:
        return set()
    return set(Ticket.objects.visible_to(user).filter(ticket_id__in=numbers).values_list("ticket_id", flat=True))


def people_to_write_to(user):
    """Everyone active but oneself, by name (for "Nouvelle conversation")."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True).exclude(pk=user.pk).order_by("first_name", "last_name",
                                                                                        "email")


def unread_total(user):
    return Message.objects.unread_by(user).count()


