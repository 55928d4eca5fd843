"""The original's messages and the import's mapping can be read in the admin, not edited."""
import pytest

from legacy.importer import import_d1
from legacy.models import LegacyRecord
from messaging.models import Message


@pytest.fixture
def imported(db):
    from tests.legacy.conftest import SAMPLE_EXPORT

    import_d1(SAMPLE_EXPORT)


def test_an_admin_reads_the_imported_messages(client, admin_user, imported):
    client.force_login(admin_user)
    message = Message.objects.get(content="rapport de quart envoyé")

    listing = client.get("/admin/messaging/message/")
    detail = client.get(f"/admin/messaging/message/{message.pk}/change/")

    assert listing.status_code == 200 and "rapport de quart envoyé" in listing.content.decode()
    assert detail.status_code == 200
    assert client.get("/admin/messaging/message/add/").status_code == 403


def test_an_admin_reads_where_each_original_row_went(client, admin_user, imported):
    client.force_login(admin_user)
    record = LegacyRecord.objects.get(table="tickets", legacy_id="1")

    assert record.data["reporter_name"] == "Sylvie Gagnon"
    assert client.get("/admin/legacy/legacyrecord/?table=tickets").status_code == 200
    assert client.get(f"/admin/legacy/legacyrecord/{record.pk}/change/").status_code == 200


def test_the_admin_deletes_only_as_the_pages_do_and_keeps_the_trace(client, admin_user, technician, technician2):
    from messaging import services

    public = services.public_channel()
    private = services.private_conversation(user=technician, other=technician2)
    shown = services.message_send(conversation=public, sender=technician, content="hors sujet")
    hidden = services.message_send(conversation=private, sender=technician, content="entre nous")
    client.force_login(admin_user)

    answer = client.post("/admin/messaging/message/", {"action": "delete_keeping_a_trace",
                                                       "_selected_action": [shown.pk, hidden.pk]}, follow=True)

    text = answer.content.decode()
    assert "1 message supprimé." in text and "1 message non supprimé" in text
    shown.refresh_from_db(), hidden.refresh_from_db()
    assert shown.is_deleted and shown.deleted_by == admin_user and not hidden.is_deleted
    assert Message.objects.count() == 2
