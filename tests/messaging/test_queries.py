"""A conversation of 10,000 messages costs what a conversation of ten does; the header's count is one query."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messaging import selectors, services
from messaging.models import Message
from notifications.bell import bell_state_for


def fill(conversation, sender, n):
    start = timezone.now() - timedelta(days=30)
    Message.objects.bulk_create(
        [Message(conversation=conversation, sender=sender, recipient=conversation.other(sender),
                 content=f"message {i}", created_at=start + timedelta(seconds=i)) for i in range(n)],
        batch_size=2000)
    return list(conversation.messages.order_by("-created_at", "-id").values_list("pk", flat=True)[:1])[0]


@pytest.fixture
def busy(private, technician):
    """The technicians' conversation with 10,000 messages."""
    fill(private, technician, 10_000)
    return private


# Session, user, his permissions (2), the conversation, its version, a page of messages, the read
# update, the notifications marked read (select), the header's bell + messages (1), savepoints.
PAGE_QUERIES = 12


def test_a_10000_message_conversation_opens_in_the_same_queries_as_a_short_one(
        signed_in, technician, technician2, private, busy, django_assert_max_num_queries):
    client = signed_in(technician2)
    with django_assert_max_num_queries(PAGE_QUERIES) as long_one:
        response = client.get(reverse("messaging:conversation", kwargs={"pk": busy.pk}))
    assert response.status_code == 200
    assert len(response.context["page"].messages) == 30 and response.context["page"].has_older
    # Older pages, loaded on scroll: the same cost just above the newest and at the very start.
    ids = list(busy.messages.order_by("created_at", "id").values_list("pk", flat=True))
    counts = []
    for before in (ids[-30], ids[30]):
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(reverse("messaging:conversation", kwargs={"pk": busy.pk}) + f"?avant={before}",
                                HTTP_HX_REQUEST="true", HTTP_HX_TARGET="older-messages")
        assert answer.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    page = selectors.message_page(busy, before=ids[30])
    assert [m.pk for m in page.messages] == ids[:30] and not page.has_older
    # The same conversation with 10 messages: the same queries as with 10,000.
    Message.objects.filter(conversation=busy).exclude(pk__in=ids[-10:]).delete()
    Message.objects.filter(conversation=busy).update(is_read=False)
    with django_assert_max_num_queries(len(long_one)) as short_one:
        client.get(reverse("messaging:conversation", kwargs={"pk": busy.pk}))
    assert len(short_one) == len(long_one)


def test_the_header_counts_unread_messages_and_notifications_in_one_query(technician, technician2, private, public,
                                                                         django_assert_num_queries):
    services.message_send(conversation=private, sender=technician, content="privé")
    services.message_send(conversation=public, sender=technician, content="public")
    technician2.has_perm("messaging.read_public_channel")  # A page has read his permissions already.
    with django_assert_num_queries(1):
        state = bell_state_for(technician2)
    assert (state.unread, state.messages) == (1, 2)


def test_the_conversation_list_is_one_query_whatever_the_number_of_conversations(
        technician, technician2, supervisor, operator, public, django_assert_num_queries):
    for other in (technician2, supervisor, operator):
        services.message_send(conversation=services.private_conversation(user=technician, other=other),
                              sender=other, content="salut")
    technician.has_perm("messaging.read_public_channel")
    with django_assert_num_queries(1):
        rows = list(selectors.conversations_for(technician))
    assert [r.unread for r in rows] == [0, 1, 1, 1]
