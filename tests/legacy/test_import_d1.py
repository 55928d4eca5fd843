"""`manage.py import_d1` on an export shaped like the original's real tables: nothing lost, nothing done twice."""
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from legacy.importer import import_d1
from legacy.models import LegacyRecord
from legacy.sources import open_export, table_names
from messaging.models import Message
from notifications.models import WebhookNotification
from tickets.models import Comment, Machine, Media, Ticket, TimelineEntry

from .conftest import (
    OLD_PASSWORD,
    OLD_SHA256_HASH,
    REAL_EXPORT,
    SAMPLE_PASSWORDS,
    WEB_CRYPTO_PASSWORD,
    WEB_CRYPTO_V2_HASH,
)

pytestmark = pytest.mark.django_db

NEW_USERS = f"""
INSERT INTO "users" VALUES(7,'Nadia@IGP.com','{WEB_CRYPTO_V2_HASH}','Nadia Nouvelle-Arrivée','technician',
 '2025-11-06 10:00:00','2025-11-06 10:00:00',NULL);
INSERT INTO "users" VALUES(8,'ancien@igp.com','{OLD_SHA256_HASH}','Albert Ancien','operator',
 '2025-11-06 10:00:00','2025-11-06 10:00:00',NULL);
"""
COMMENTS = """
INSERT INTO "ticket_comments" VALUES(1,1,'Jean Tremblay','technician','Roulement changé','2025-11-06 10:00:00');
INSERT INTO "ticket_comments" VALUES(2,1,'Un visiteur','operator','Merci !','2025-11-06 10:05:00');
"""
WEBHOOKS = """
CREATE TABLE webhook_notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id INTEGER NOT NULL, notification_type VARCHAR(50) NOT NULL,
  webhook_url TEXT NOT NULL, sent_at DATETIME NOT NULL, response_status INTEGER, response_body TEXT,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP, scheduled_date_notified DATETIME);
INSERT INTO "webhook_notifications" VALUES(1,1,'overdue_scheduled','https://connect.pabbly.example/hook/1',
 '2025-11-12T09:26:14.510Z',200,'{"status":"success"}','2025-11-12 09:26:14','2025-11-07T07:54:00');
INSERT INTO "webhook_notifications" VALUES(2,1,'overdue_scheduled','NOT_CONFIGURED',
 '2025-11-12T09:31:14.000Z',NULL,'','2025-11-12 09:31:14','2025-11-07T07:54:00');
"""
TORONTO = ZoneInfo("America/Toronto")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def snapshot():
    models = [User, Machine, Ticket, Media, Comment, TimelineEntry, Message, LegacyRecord]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def test_every_row_of_the_sample_export_is_accounted_for(sample_export):
    report = import_d1(sample_export)

    memory = open_export(sample_export)
    for table in table_names(memory):
        count = memory.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        assert report.tables[table].found == count, table
        assert report.tables[table].accounted == count, table
    assert (User.objects.count(), Machine.objects.count(), Ticket.objects.count()) == (6, 12, 3)
    assert (Media.objects.count(), TimelineEntry.objects.count(), Message.objects.count()) == (1, 19, 9)
    assert report.tables["permissions"].skipped_total == 31
    assert report.tables["role_permissions"].skipped_total == 83
    assert report.tables["roles"].unchanged == 4


@pytest.mark.skipif(not REAL_EXPORT, reason="IGP_D1_EXPORT=/path/to/export.sql checks a real export too")
def test_every_row_of_a_real_export_is_accounted_for():
    report = import_d1(REAL_EXPORT)

    memory = open_export(REAL_EXPORT)
    for table in table_names(memory):
        count = memory.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        assert report.tables[table].accounted == count, table


def test_the_exports_users_sign_in_with_the_password_they_had_in_the_original(sample_export):
    import_d1(sample_export)

    for email, password in SAMPLE_PASSWORDS.items():
        assert authenticate(username=email, password=password) is not None, email
        assert User.objects.get(email=email).password.startswith("pbkdf2_sha256$")  # Re-hashed on sign-in.


def test_the_command_ends_with_a_table_of_counts(sample_export, run_import):
    out = run_import(sample_export)

    assert "Table" in out and "Trouvées" in out and "Créées" in out and "Ignorées" in out
    assert "users                    6       6" in out
    assert "ticket_timeline         19      19" in out
    assert "remplacées par les permissions Django" in out
    assert "Import terminé." in out


def test_tickets_keep_their_number_status_priority_reporter_and_assignee(sample_export):
    import_d1(sample_export)

    ticket = Ticket.objects.get(ticket_id="IGP-FOUR DE TREMPE-FT-2200-20251105-412")
    assert (ticket.status, ticket.priority, ticket.title) == ("diagnostic", "medium", "Fuite")
    assert ticket.reporter.email == "superviseure@verrerie.test"
    assert ticket.assigned_to.email == "technicien@verrerie.test"
    assert ticket.machine.serial_number == "SN-FT-0001"
    assert ticket.completed_at is None
    quoted = Machine.objects.get(serial_number="SN-Q01")
    assert (quoted.machine_type, quoted.model, quoted.location) == (
        "Scie d'angle", 'Modèle "Spécial" & <script>', "Atelier d'été")


def test_a_ticket_assigned_to_user_zero_goes_to_the_whole_team(make_dump):
    dump = make_dump(
        "INSERT INTO users VALUES(0,'system.team@igpglass.ca','SYSTEM_USER_NO_LOGIN','👥 Toute l''équipe',"
        "'technician',NULL,NULL,NULL);\nUPDATE tickets SET assigned_to = 0 WHERE id = 2;"
    )

    report = import_d1(dump)

    ticket = Ticket.objects.get(ticket_id="IGP-FOUR DE TREMPE-FT-2200-20251106-158")
    assert ticket.assigned_to_team and ticket.assigned_to is None
    assert ticket.assignee_label == "Équipe complète"
    assert not User.objects.filter(email="system.team@igpglass.ca").exists()
    assert report.tables["users"].skipped_total == 1


def test_users_keep_their_names_roles_and_dates(sample_export):
    import_d1(sample_export)

    jean = User.objects.get(email="technicien@verrerie.test")
    assert (jean.first_name, jean.last_name, jean.role) == ("Jean", "Tremblay", Role.TECHNICIAN)
    assert list(jean.groups.values_list("name", flat=True)) == ["technician"]
    assert jean.date_joined == utc(2025, 11, 5, 11, 49, 33)
    assert jean.last_login == utc(2025, 11, 6, 9, 45, 58)
    admin = User.objects.get(email="admin@verrerie.test")
    assert admin.is_superuser and admin.is_staff


def test_users_sign_in_with_the_password_the_original_hashed(make_dump):
    import_d1(make_dump(NEW_USERS))

    nadia = authenticate(username="nadia@igp.com", password=WEB_CRYPTO_PASSWORD)
    assert nadia is not None and (nadia.first_name, nadia.last_name) == ("Nadia", "Nouvelle-Arrivée")
    assert nadia.password.startswith("pbkdf2_sha256$")  # Re-hashed on that first sign-in.
    assert authenticate(username="ancien@igp.com", password=OLD_PASSWORD) is not None
    assert authenticate(username="nadia@igp.com", password="mauvais") is None


def test_a_placeholder_password_is_unusable(sample_export):
    import_d1(sample_export)

    placeholder = User.objects.get(email="essai@exemple.test")
    assert not placeholder.has_usable_password()
    assert authenticate(username="essai@exemple.test", password="test") is None


def test_comments_keep_the_original_name_and_link_the_only_person_with_it(make_dump):
    import_d1(make_dump(COMMENTS))

    linked, unknown = Comment.objects.order_by("created_at")
    assert linked.author.email == "technicien@verrerie.test"
    assert (linked.author_name, linked.author_role, linked.body) == ("Jean Tremblay", "technician",
                                                                     "Roulement changé")
    assert unknown.author is None and unknown.display_author == "Un visiteur"


def test_timeline_labels_become_actions(sample_export):
    import_d1(sample_export)

    ticket = Ticket.objects.get(ticket_id="IGP-FOUR DE TREMPE-FT-2200-20251105-412")
    actions = list(ticket.timeline.values_list("action", flat=True))
    assert actions[:3] == ["created", "updated", "updated"]
    assert actions.count("status_changed") == 13
    move = ticket.timeline.filter(action="status_changed").first()
    assert (move.old_value, move.new_value, move.actor.email) == ("received", "diagnostic", "technicien@verrerie.test")


def test_an_unknown_timeline_label_is_kept_in_the_note(make_dump):
    import_d1(make_dump(
        "INSERT INTO ticket_timeline VALUES(20,1,2,'Priorité modifiée',NULL,NULL,'high','2025-11-06 10:00:00');"))

    entry = TimelineEntry.objects.get(created_at=utc(2025, 11, 6, 10))
    assert entry.action == "updated"
    assert entry.note == "Priorité modifiée — high"


def test_messages_are_kept_public_private_and_vocal(sample_export):
    import_d1(sample_export)

    assert Message.objects.public().count() == 4
    assert Message.objects.private().count() == 5
    read = Message.objects.get(content="rapport de quart envoyé")
    assert read.is_read and read.read_at == utc(2025, 11, 6, 9, 53, 11)
    assert read.sender.email == "superviseure@verrerie.test" and read.recipient.email == "admin@verrerie.test"
    vocal = Message.objects.get(audio_file_key__startswith="messages/audio/")
    assert (vocal.audio_duration, vocal.audio_size, vocal.is_public) == (9, 95412, True)


def test_messages_land_in_their_conversations_with_their_read_state(sample_export):
    from messaging import selectors
    from messaging.models import Conversation

    import_d1(sample_export)

    public = Conversation.objects.get(kind="public")
    assert public.messages.count() == 4
    jean, pierre, admin = (User.objects.get(email=f"{n}@verrerie.test") for n in ("technicien", "technicien2", "admin"))
    [pair] = Conversation.objects.filter(kind="private", first__in=[jean, pierre], second__in=[jean, pierre])
    assert [m.content.strip() for m in pair.messages.all()] == ["Tu as la clé du compresseur ?"]
    assert pair.last_message_at == utc(2025, 11, 5, 15, 2, 11)
    # Pierre has not read Jean's question; the administrator read the order (message 2), not Jean's request (7).
    assert [(c.pk == pair.pk, c.unread) for c in selectors.conversations_for(pierre) if not c.is_public] == [(True, 1)]
    assert Message.objects.unread_by(admin).filter(conversation__kind="private").count() == 0
    assert Message.objects.unread_by(jean).filter(conversation__kind="private").count() == 1
    # The public history arrives read for the team; what is written after is new.
    assert not Message.objects.unread_by(pierre).filter(conversation=public).exists()
    assert Conversation.objects.filter(kind="private").count() == 4


def test_media_keep_their_original_key_and_address(sample_export):
    import_d1(sample_export)

    media = Media.objects.get()
    assert media.storage_key == "tickets/2/1762418417250-k3v9qa-ventilateur four 1.jpg"
    assert media.external_url.endswith("/tickets/2/1762418417250-k3v9qa-ventilateur four 1.jpg")
    assert (media.original_name, media.kind, media.size) == ("ventilateur four 1.jpg", "photo", 20931)
    assert media.uploaded_by.email == "operateur@verrerie.test"
    assert not media.file


def test_webhook_history_is_imported_when_the_export_has_it(make_dump):
    report = import_d1(make_dump(WEBHOOKS))

    sent, not_configured = WebhookNotification.objects.order_by("sent_at")
    assert sent.ticket.ticket_id == "IGP-FOUR DE TREMPE-FT-2200-20251105-412"
    assert (sent.notification_type, sent.response_status, sent.succeeded) == ("overdue_scheduled", 200, True)
    assert sent.webhook_url == "https://connect.pabbly.example/hook/1"
    assert sent.sent_at == utc(2025, 11, 12, 9, 26, 14, 510000)
    assert sent.response_body == '{"status":"success"}'
    assert not_configured.response_status is None and not not_configured.succeeded
    assert report.tables["webhook_notifications"].created == 2


def test_a_second_run_changes_nothing(make_dump, run_import):
    dump = make_dump(NEW_USERS + COMMENTS + WEBHOOKS)
    run_import(dump)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        out = run_import(dump)

    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert "Rien à faire" in out


def test_a_row_changed_in_the_original_is_updated_on_the_next_run(make_dump):
    import_d1(make_dump(NEW_USERS))
    assert authenticate(username="nadia@igp.com", password=WEB_CRYPTO_PASSWORD)  # Now a Django hash.
    changed = make_dump(NEW_USERS + "UPDATE tickets SET title = 'Bruit du ventilateur' WHERE id = 2;\n"
                                    "UPDATE users SET full_name = 'Nadia Tremblay' WHERE id = 7;")

    report = import_d1(changed)

    assert report.tables["tickets"].updated == 1 and report.tables["tickets"].unchanged == 2
    ticket = Ticket.objects.get(ticket_id="IGP-FOUR DE TREMPE-FT-2200-20251106-158")
    assert ticket.title == "Bruit du ventilateur"
    assert ticket.updated_at == utc(2025, 11, 6, 8, 47, 3)
    nadia = User.objects.get(email="nadia@igp.com")
    assert nadia.last_name == "Tremblay"
    assert nadia.password.startswith("pbkdf2_sha256$")  # Her password, re-hashed here, is not taken back.


def test_dry_run_shows_the_counts_and_changes_nothing(sample_export, run_import):
    out = run_import(sample_export, "--dry-run")

    assert "rien n'a été enregistré" in out
    assert "tickets                  3       3" in out
    assert not User.objects.exists() and not Ticket.objects.exists() and not LegacyRecord.objects.exists()


def test_an_account_created_here_before_the_import_is_linked_not_overwritten(sample_export):
    mine = User.objects.create_user("Admin@verrerie.test", "mon-nouveau-mot-de-passe", role=Role.ADMIN)

    report = import_d1(sample_export)

    assert User.objects.filter(email__iexact="admin@verrerie.test").get() == mine
    assert Ticket.objects.filter(timeline__actor=mine).exists()
    assert authenticate(username="admin@verrerie.test", password="mon-nouveau-mot-de-passe") == mine
    assert report.tables["users"].updated == 1


def test_a_sqlite_file_imports_like_the_dump(sample_export, tmp_path):
    database = tmp_path / "d1.sqlite3"
    with sqlite3.connect(database) as db:
        db.executescript(sample_export.read_text(encoding="utf-8"))

    report = import_d1(database)

    assert report.tables["tickets"].created == 3 and report.tables["users"].created == 6


def test_ticket_numbers_created_here_do_not_reuse_an_imported_number(sample_export, machine, supervisor):
    import_d1(sample_export)

    ticket = Ticket.objects.create(title="Fuite", machine=machine, reporter=supervisor,
                                   created_at=datetime(2025, 11, 5, 14, 0, tzinfo=TORONTO))

    assert ticket.ticket_id.endswith("-20251105-413")


def test_a_ticket_whose_dates_disagree_with_its_history_is_reported(make_dump, run_import):
    dump = make_dump("UPDATE tickets SET created_at = '2025-11-06 09:05:52' WHERE id = 3;")

    out = run_import(dump)

    assert "Table « tickets », ligne id=3 : created_at" in out


class TestMediaDir:
    KEY = "tickets/2/1762418417250-k3v9qa-ventilateur four 1.jpg"
    AUDIO = "messages/audio/2/1762443068000-p4x8rt.webm"

    @pytest.fixture
    def bucket(self, tmp_path, settings):
        settings.MEDIA_ROOT = tmp_path / "storage"
        bucket = tmp_path / "bucket"
        for key, content in ((self.KEY, b"\xff\xd8\xff photo"), (self.AUDIO, b"webm audio")):
            (bucket / key).parent.mkdir(parents=True, exist_ok=True)
            (bucket / key).write_bytes(content)
        return bucket

    def test_files_are_copied_into_our_storage_and_the_original_key_is_kept(self, sample_export, bucket):
        import_d1(sample_export, media_dir=bucket)

        media = Media.objects.get()
        assert media.file.read() == b"\xff\xd8\xff photo"
        assert media.storage_key == self.KEY
        assert Message.objects.get(audio_file_key=self.AUDIO).audio_file.read() == b"webm audio"

    def test_a_second_run_copies_nothing_again(self, sample_export, bucket, settings):
        import_d1(sample_export, media_dir=bucket)
        stored = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())

        report = import_d1(sample_export, media_dir=bucket)

        assert sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == stored
        assert not report.changed

    def test_a_missing_file_is_reported_and_the_media_keeps_its_address(self, sample_export, bucket):
        (bucket / self.KEY).unlink()

        report = import_d1(sample_export, media_dir=bucket)

        assert not Media.objects.get().file
        assert any("absent" in note for note in report.tables["media"].notes)

    def test_a_file_copied_on_a_later_run_counts_as_an_update(self, sample_export, bucket):
        import_d1(sample_export)

        report = import_d1(sample_export, media_dir=bucket)

        assert Media.objects.get().file
        assert (report.tables["media"].updated, report.tables["media"].unchanged) == (1, 0)
        assert report.changed

    def test_a_media_dir_that_does_not_exist_is_named(self, sample_export, run_import, tmp_path):
        with pytest.raises(CommandError, match="Dossier des médias introuvable"):
            run_import(sample_export, "--media-dir", str(tmp_path / "absent"))

    def test_a_key_outside_the_folder_is_not_followed(self, make_dump, bucket):
        (bucket.parent / "secret.jpg").write_bytes(b"secret")
        dump = make_dump("UPDATE media SET file_key = '../secret.jpg' WHERE id = 1;")

        report = import_d1(dump, media_dir=bucket)

        assert not Media.objects.get().file
        assert any("hors du dossier" in note for note in report.tables["media"].notes)

    def test_a_failed_import_leaves_no_copied_file_behind(self, make_dump, bucket, settings):
        dump = make_dump("INSERT INTO messages VALUES(10,42,NULL,'public','x',0,'2025-11-06 10:00:00',NULL,NULL,"
                         "NULL,NULL);")

        with pytest.raises(CommandError):
            from django.core.management import call_command
            call_command("import_d1", str(dump), "--media-dir", str(bucket))

        assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


class TestBrokenInput:
    def assert_untouched(self):
        assert not User.objects.exists()
        assert not Ticket.objects.exists()
        assert not LegacyRecord.objects.exists()

    def test_a_missing_file_is_named(self, run_import, tmp_path):
        with pytest.raises(CommandError, match="Fichier introuvable"):
            run_import(tmp_path / "absent.sql")

    def test_a_text_that_is_not_a_dump_is_refused(self, run_import, tmp_path):
        path = tmp_path / "notes.sql"
        path.write_text("Bonjour, voici la liste des machines.", encoding="utf-8")

        with pytest.raises(CommandError, match="n'est pas un export SQL"):
            run_import(path)

    def test_a_binary_file_is_refused(self, run_import, tmp_path):
        path = tmp_path / "photo.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))

        with pytest.raises(CommandError, match="ni un export SQL"):
            run_import(path)

    def test_a_dump_of_another_schema_is_refused(self, run_import, tmp_path):
        path = tmp_path / "autre.sql"
        path.write_text("CREATE TABLE clients (id INTEGER PRIMARY KEY, nom TEXT);\n"
                        "INSERT INTO clients VALUES (1, 'ACME');", encoding="utf-8")

        with pytest.raises(CommandError, match="autre base"):
            run_import(path)

    def test_a_missing_column_is_named(self, run_import, make_dump):
        dump = make_dump(replace={"  ticket_id TEXT UNIQUE NOT NULL,\n  title TEXT NOT NULL,":
                                  "  ticket_id TEXT UNIQUE NOT NULL,\n  titre TEXT NOT NULL,"})

        with pytest.raises(CommandError, match="La table « tickets » de l'export n'a pas de colonne « title »"):
            run_import(dump)

    def test_a_broken_statement_names_its_line_table_and_row(self, run_import, make_dump):
        dump = make_dump("INSERT INTO \"tickets\" VALUES(4,'IGP-X');")

        with pytest.raises(CommandError, match=r"ligne \d+ : table « tickets », ligne d'identifiant 4"):
            run_import(dump)
        self.assert_untouched()

    def test_a_row_pointing_to_nothing_names_the_table_and_row(self, run_import, make_dump, machine):
        dump = make_dump("INSERT INTO tickets VALUES(4,'IGP-X-20251106-111','T','D',99,'received','low',3,NULL,"
                         "'2025-11-06 03:55:41','2025-11-06 03:55:41',NULL,NULL,NULL,NULL);")

        with pytest.raises(CommandError, match=r"Table « tickets », ligne id=4 : « machine_id » = 99"):
            run_import(dump)
        self.assert_untouched()
        assert list(Machine.objects.all()) == [machine]

    def test_a_failure_in_the_last_table_undoes_everything_before_it(self, run_import, make_dump):
        dump = make_dump("INSERT INTO messages VALUES(10,42,NULL,'public','x',0,'2025-11-06 10:00:00',NULL,NULL,"
                         "NULL,NULL);")

        with pytest.raises(CommandError, match=r"Table « messages », ligne id=10 : « sender_id » = 42"):
            run_import(dump)
        self.assert_untouched()
        assert not Machine.objects.exists()

    def test_an_unknown_status_names_the_table_and_row(self, run_import, make_dump):
        dump = make_dump("UPDATE tickets SET status = 'en_pause' WHERE id = 3;", replace={
            "CHECK(status IN ('received', 'diagnostic', 'in_progress', 'waiting_parts', 'completed', 'archived'))": ""})

        with pytest.raises(CommandError, match=r"Table « tickets », ligne id=3 : valeur inconnue dans « status »"):
            run_import(dump)
        self.assert_untouched()

    def test_a_value_too_long_for_us_is_not_truncated_but_named(self, run_import, make_dump):
        dump = make_dump(f"UPDATE tickets SET title = '{'x' * 201}' WHERE id = 2;")

        with pytest.raises(CommandError, match=r"Table « tickets », ligne id=2 : « title » dépasse 200 caractères"):
            run_import(dump)
        self.assert_untouched()

    def test_two_rows_with_the_same_address_are_refused(self, run_import, make_dump):
        dump = make_dump(replace={"'technicien2@verrerie.test'": "'TECHNICIEN@verrerie.test'"})

        with pytest.raises(CommandError,
                           match=r"Table « users », ligne id=5 : l'adresse technicien@verrerie.test est déjà"):
            run_import(dump)
        self.assert_untouched()

    def test_a_ticket_number_taken_here_stops_the_import(self, run_import, sample_export, make_ticket):
        make_ticket()
        Ticket.objects.update(ticket_id="IGP-TABLE DE DECOUPE-TD-4800-20251106-631")

        with pytest.raises(CommandError, match="existe déjà ici"):
            run_import(sample_export)

    def test_an_unknown_role_stops_the_import_and_names_the_row(self, run_import, make_dump):
        dump = make_dump(
            "UPDATE users SET role = 'chef_de_quart' WHERE id = 5;",
            replace={"CHECK(role IN ('admin', 'supervisor', 'technician', 'operator'))": ""},
        )

        with pytest.raises(CommandError, match=r"rôle inconnu.*id=5 \(technicien2@verrerie.test\) : « chef_de_quart »"):
            run_import(dump)
        self.assert_untouched()

    def test_role_map_says_what_an_unknown_role_becomes(self, run_import, make_dump):
        dump = make_dump(
            "UPDATE users SET role = 'chef_de_quart' WHERE id = 5;",
            replace={"CHECK(role IN ('admin', 'supervisor', 'technician', 'operator'))": ""},
        )

        run_import(dump, "--role-map", "chef_de_quart=team_leader")

        assert User.objects.get(email="technicien2@verrerie.test").role == Role.TEAM_LEADER

    def test_a_role_map_to_a_role_we_do_not_have_is_refused(self, run_import, sample_export):
        with pytest.raises(CommandError, match="n'est pas un rôle d'ici"):
            run_import(sample_export, "--role-map", "chef=capitaine")
