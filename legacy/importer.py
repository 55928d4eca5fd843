"""Importing the original application's database (`manage.py import_d1`).

`import_d1(path, ...)` is the service; the command only parses options and
prints the `ImportReport`. The steps:

1. load the export into an in-memory SQLite (`legacy.sources.open_export`);
2. check it is the original's schema (users, machines, tickets and their columns);
3. check every user's role before writing anything (an unknown role stops the import);
4. in ONE transaction, table by table in dependency order, create or update the
   object each row maps to, remembering the mapping in `LegacyRecord`. A row seen
   before whose content did not change is left alone, so a second run writes nothing;
5. count every row of every table: created, updated, unchanged or skipped with a reason;
6. with --dry-run, roll the transaction back at the end; on any error, roll back and
   delete the media files copied so far.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from messaging import services as messaging_services
from messaging.models import Conversation, Message, ReadMark
from tickets.models import Comment, Machine, Media, Ticket, TicketDaySequence, TimelineEntry

from .conversions import (
    is_local_column,
    jsonable_row,
    legacy_password,
    parse_legacy_datetime,
    row_digest,
    split_full_name,
)
from .models import LegacyRecord
from .sources import LegacyImportError, open_export, table_columns, table_names, table_rows

REQUIRED_COLUMNS = {
    "users": {"id", "email", "password_hash", "role"},
    "machines": {"id", "machine_type", "model"},
    "tickets": {"id", "ticket_id", "title", "machine_id", "status", "priority", "reported_by"},
    "media": {"id", "ticket_id", "file_key", "file_name", "file_type", "url"},
    "ticket_timeline": {"id", "ticket_id", "user_id", "action"},
    "ticket_comments": {"id", "ticket_id", "user_name", "comment"},
    "messages": {"id", "sender_id", "content"},
    "webhook_notifications": {"id", "ticket_id", "notification_type", "webhook_url", "sent_at"},
}
# Tables of D1 itself, not of the application.
TECHNICAL_TABLES = {"d1_migrations", "sqlite_sequence", "_cf_KV", "_cf_METADATA", "sqlite_stat1"}
# Report order: the application's tables first, in the order they are imported.
IMPORT_ORDER = ["users", "machines", "tickets", "media", "ticket_comments", "ticket_timeline", "messages",
                "webhook_notifications", "roles", "permissions", "role_permissions"]

# The original's user 0 is "👥 Toute l'équipe", a placeholder meaning "the whole team".
TEAM_USER_ID = 0

# The French labels the original wrote in ticket_timeline.action.
TIMELINE_ACTIONS = {
    "ticket créé": TimelineEntry.Action.CREATED,
    "changement de statut": TimelineEntry.Action.STATUS_CHANGED,
    "mise à jour": TimelineEntry.Action.UPDATED,
    "assignation": TimelineEntry.Action.ASSIGNED,
    "ticket assigné": TimelineEntry.Action.ASSIGNED,
    "planification": TimelineEntry.Action.SCHEDULED,
    "commentaire": TimelineEntry.Action.COMMENTED,
    "commentaire ajouté": TimelineEntry.Action.COMMENTED,
    "fichier ajouté": TimelineEntry.Action.MEDIA_ADDED,
    "média ajouté": TimelineEntry.Action.MEDIA_ADDED,
}


class _Skipped:
    """Stands for a row that was skipped: what refers to it is skipped too."""

    def __init__(self, reason):
        self.reason = reason


TEAM = object()


@dataclass
class TableCount:
    found: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    @property
    def skipped_total(self):
        return sum(self.skipped.values())

    @property
    def accounted(self):
        return self.created + self.updated + self.unchanged + self.skipped_total


@dataclass
class ImportReport:
    dry_run: bool = False
    tables: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def table(self, name):
        return self.tables.setdefault(name, TableCount())

    @property
    def changed(self):
        return any(t.created or t.updated for t in self.tables.values())


class _Rollback(Exception):
    pass


def import_d1(path, *, media_dir=None, role_map=None, dry_run=False):
    """Import the export at `path`; return the ImportReport. Raises LegacyImportError."""
    memory = open_export(path)
    try:
        return D1Importer(memory, media_dir=media_dir, role_map=role_map, dry_run=dry_run).run()
    finally:
        memory.close()


class D1Importer:
    def __init__(self, memory, *, media_dir=None, role_map=None, dry_run=False):
        self.memory = memory
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.role_map = dict(role_map or {})
        self.dry_run = dry_run
        self.report = ImportReport(dry_run=dry_run)
        self.tables = set(table_names(memory))
        self.rows = {}
        # table -> {legacy id (str): object, TEAM or _Skipped}
        self.objects = defaultdict(dict)
        self.copied_files = []
        self.now = timezone.now()
        self._records = {}  # table -> {legacy id: LegacyRecord} from earlier runs
        self._existing = {}  # table -> {pk: object} for those records
        self._row = None  # The row being imported, for error messages.
        self._last_status = None  # What upsert() did with it.

    # --- Steps ------------------------------------------------------------
    def run(self):
        if self.media_dir is not None and not self.media_dir.is_dir():
            raise LegacyImportError(_("Dossier des médias introuvable : %(dir)s") % {"dir": self.media_dir})
        self.check_schema()
        for table in IMPORT_ORDER:
            if table in self.tables:
                self.rows[table] = table_rows(self.memory, table)
        self.check_roles()
        try:
            with transaction.atomic():
                self.import_users()
                self.import_machines()
                self.import_tickets()
                self.import_media()
                self.import_comments()
                self.import_timeline()
                self.import_messages()
                self.import_webhook_notifications()
                self.report_rbac()
                self.report_other_tables()
                self.check_ticket_dates()
                if self.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except BaseException:
            self._delete_copied_files()
            raise
        return self.report

    def check_schema(self):
        missing = [t for t in ("users", "machines", "tickets") if t not in self.tables]
        if len(missing) == 3:
            raise LegacyImportError(_(
                "Ce fichier ne contient pas les tables de l'application d'origine (users, machines, tickets) : "
                "c'est l'export d'une autre base."
            ))
        if missing:
            raise LegacyImportError(
                _("L'export ne contient pas la table « %(table)s » de l'application d'origine.")
                % {"table": missing[0]}
            )
        for table, required in REQUIRED_COLUMNS.items():
            if table not in self.tables:
                continue
            columns = set(table_columns(self.memory, table))
            absent = sorted(required - columns)
            if table == "users" and not ({"full_name"} <= columns or {"first_name", "last_name"} <= columns):
                absent.append("full_name")
            if absent:
                raise LegacyImportError(
                    _("La table « %(table)s » de l'export n'a pas de colonne « %(column)s » : ce n'est pas le "
                      "schéma de l'application d'origine.") % {"table": table, "column": absent[0]}
                )

    def check_roles(self):
        """An unknown role stops the import before anything is written.

        Skipping the person instead would lose every ticket he reported; guessing
        a role would give someone rights nobody chose. The operator decides with
        --role-map ancien=nouveau.
        """
        known = set(Role.values)
        for old, new in self.role_map.items():
            if new not in known:
                raise LegacyImportError(
                    _("--role-map %(old)s=%(new)s : « %(new)s » n'est pas un rôle d'ici (%(roles)s).")
                    % {"old": old, "new": new, "roles": ", ".join(Role.values)}
                )
        unknown = [
            row for row in self.rows["users"]
            if row["id"] != TEAM_USER_ID and self.role_map.get(row["role"], row["role"]) not in known
        ]
        if unknown:
            lines = ", ".join(f"id={row['id']} ({row['email']}) : « {row['role']} »" for row in unknown[:10])
            raise LegacyImportError(
                _("Table « users » : rôle inconnu, import arrêté sans rien modifier — %(rows)s. "
                  "Indiquez la correspondance avec --role-map ancien=nouveau.") % {"rows": lines}
            )

    # --- Helpers ----------------------------------------------------------
    def fail(self, table, row, message):
        raise LegacyImportError(
            _("Table « %(table)s », ligne id=%(id)s : %(message)s")
            % {"table": table, "id": row.get("id", "?"), "message": message}
        )

    def date(self, table, row, column, *, local=None):
        if local is None:
            local = is_local_column(table, column)
        try:
            return parse_legacy_datetime(row.get(column), local=local)
        except ValueError:
            self.fail(table, row, _("date illisible dans « %(column)s » : %(value)r")
                      % {"column": column, "value": row.get(column)})

    def text(self, table, row, column, model, field_name, *, required=False):
        value = row.get(column)
        value = "" if value is None else str(value)
        if required and not value.strip():
            self.fail(table, row, _("« %(column)s » est vide.") % {"column": column})
        max_length = model._meta.get_field(field_name).max_length
        if max_length and len(value) > max_length:
            self.fail(table, row, _("« %(column)s » dépasse %(max)d caractères (%(length)d) : rien n'est tronqué, "
                                    "corrigez la ligne.") % {"column": column, "max": max_length,
                                                             "length": len(value)})
        return value

    def choice(self, table, row, column, choices, default=None):
        value = row.get(column)
        if value is None and default is not None:
            return default
        if value not in choices:
            self.fail(table, row, _("valeur inconnue dans « %(column)s » : %(value)r (attendu : %(choices)s)")
                      % {"column": column, "value": value, "choices": ", ".join(choices)})
        return value

    def ref(self, table, row, column, target_table, *, required=True):
        """The object a foreign key points to, TEAM, a _Skipped, or None."""
        value = row.get(column)
        if value is None:
            if required:
                self.fail(table, row, _("« %(column)s » est vide.") % {"column": column})
            return None
        if target_table == "users" and value == TEAM_USER_ID:
            return TEAM
        target = self.objects[target_table].get(str(value))
        if target is None:
            self.fail(table, row, _("« %(column)s » = %(value)s : aucune ligne %(value)s dans la table "
                                    "« %(target)s » de l'export.")
                      % {"column": column, "value": value, "target": target_table})
        return target

    def records(self, table):
        return {r.legacy_id: r for r in LegacyRecord.objects.filter(table=table)}

    def existing(self, model, records):
        return model.objects.in_bulk([r.object_id for r in records.values()])

    def remember(self, table, row, obj, record=None):
        digest = row_digest(row)
        if record is None:
            try:
                with transaction.atomic():
                    LegacyRecord.objects.create(
                        table=table, legacy_id=str(row["id"]), content_type=ContentType.objects.get_for_model(obj),
                        object_id=obj.pk, data=jsonable_row(row), digest=digest,
                    )
            except IntegrityError:
                # The unique (table, legacy_id): another import_d1 took this row meanwhile.
                self.fail(table, row, _("une autre exécution de import_d1 l'a reprise en même temps ; rien n'est "
                                        "enregistré, relancez quand elle est terminée."))
        else:
            record.content_type = ContentType.objects.get_for_model(obj)
            record.object_id = obj.pk
            record.data = jsonable_row(row)
            record.digest = digest
            record.save()

    def save(self, table, row, obj, **kwargs):
        try:
            with transaction.atomic():
                obj.save(**kwargs)
        except (DatabaseError, ValueError, TypeError) as exc:
            self.fail(table, row, _("la base refuse la ligne : %(error)s") % {"error": exc})

    def upsert(self, table, row, model, build, *, adopt=None, after_save=None):
        """Create or update the object of `row`; return it (or a _Skipped).

        `build(row)` returns the field values; `adopt()` may return an existing
        object to link instead of creating one; `after_save(obj)` sets what
        save() cannot (auto_now columns, files).
        """
        counts = self.report.table(table)
        legacy_id = str(row["id"])
        record = self._records[table].get(legacy_id)
        self._row = row
        self._last_status = "created"
        if record is not None:
            obj = self._existing[table].get(record.object_id)
            if obj is None:
                self._last_status = "skipped"
                return self.skip(table, legacy_id, _("supprimé ici depuis un import précédent"))
            if record.digest == row_digest(row):
                counts.unchanged += 1
                self._last_status = "unchanged"
                return obj
            self._last_status = "updated"
            for name, value in build(row).items():
                setattr(obj, name, value)
            self.save(table, row, obj)
            if after_save:
                after_save(obj)
            self.remember(table, row, obj, record)
            counts.updated += 1
            return obj
        values = build(row)
        obj = adopt(values) if adopt else None
        if obj is not None:
            counts.updated += 1
            self._last_status = "updated"
            counts.notes[_("liés à un objet existant (non modifié)")] += 1
            self.remember(table, row, obj)
            return obj
        obj = model(**values)
        self.save(table, row, obj)
        if after_save:
            after_save(obj)
        self.remember(table, row, obj)
        counts.created += 1
        return obj

    def skip(self, table, legacy_id, reason):
        self.report.table(table).skipped[reason] += 1
        skipped = _Skipped(reason)
        self.objects[table][legacy_id] = skipped
        return skipped

    def begin(self, table, model):
        self.report.table(table).found = len(self.rows.get(table, []))
        self._records[table] = self.records(table)
        self._existing[table] = self.existing(model, self._records[table])

    # --- Users --------------------------------------------------------------
    def import_users(self):
        self.begin("users", User)
        for row in self.rows["users"]:
            legacy_id = str(row["id"])
            if row["id"] == TEAM_USER_ID:
                self.objects["users"][legacy_id] = TEAM
                self.report.table("users").skipped[
                    _("utilisateur système « Toute l'équipe » : devient « assigné à toute l'équipe »")] += 1
                continue
            self.objects["users"][legacy_id] = self.upsert(
                "users", row, User, self._user_fields, adopt=self._adopt_user)
            if legacy_password(row["password_hash"]) is None:
                self.report.table("users").notes[_("sans mot de passe utilisable (valeur qui n'est pas un hash)")] += 1
        self._users_by_name = defaultdict(list)
        for row in self.rows["users"]:
            user = self.objects["users"][str(row["id"])]
            if isinstance(user, User):
                self._users_by_name[self._full_name(row)].append(user)

    @staticmethod
    def _full_name(row):
        if row.get("full_name"):
            return row["full_name"].strip()
        return f"{row.get('first_name') or ''} {row.get('last_name') or ''}".strip()

    def _user_fields(self, row):
        email = self.text("users", row, "email", User, "email", required=True).strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            self.fail("users", row, _("adresse courriel invalide : %(email)r") % {"email": row["email"]})
        if "first_name" in row and (row.get("first_name") or row.get("last_name")):
            first, last = (row.get("first_name") or "").strip(), (row.get("last_name") or "").strip()
        else:
            first, last = split_full_name(row.get("full_name"))
        for column, value in (("first_name", first), ("last_name", last)):
            if len(value) > User._meta.get_field(column).max_length:
                self.fail("users", row, _("nom trop long : %(value)r") % {"value": value})
        encoded = legacy_password(row["password_hash"])
        fields = {
            "email": email,
            "first_name": first,
            "last_name": last,
            "role": self.role_map.get(row["role"], row["role"]),
            "date_joined": self.date("users", row, "created_at") or self.now,
            "last_login": self.date("users", row, "last_login"),
            # No password anyone can guess: a placeholder becomes an unusable password.
            "password": encoded or _unusable_password(),
        }
        if row.get("deleted_at") or row.get("is_active") == 0:
            fields["is_active"] = False
        record = self._records["users"].get(str(row["id"]))
        if record is not None and record.data.get("password_hash") == row["password_hash"]:
            # Only another row changed: keep the password, maybe already re-hashed or changed here.
            del fields["password"]
        return fields

    def _adopt_user(self, values):
        """Someone created here before the import (the first admin): link, touch nothing."""
        user = User.objects.filter(email__iexact=values["email"]).first()
        if user is not None and self._already_imported("users", user):
            self.fail("users", self._row, _("l'adresse %(email)s est déjà celle d'une autre ligne de l'export.")
                      % {"email": values["email"]})
        return user

    def _already_imported(self, table, obj):
        return LegacyRecord.objects.filter(
            table=table, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).exists()

    # --- Machines -------------------------------------------------------------
    def import_machines(self):
        self.begin("machines", Machine)
        for row in self.rows["machines"]:
            updated_at = self.date("machines", row, "updated_at")
            self.objects["machines"][str(row["id"])] = self.upsert(
                "machines", row, Machine, self._machine_fields, adopt=self._adopt_machine,
                after_save=lambda obj, u=updated_at: u and Machine.objects.filter(pk=obj.pk).update(updated_at=u),
            )

    def _machine_fields(self, row):
        t = "machines"
        return {
            "machine_type": self.text(t, row, "machine_type", Machine, "machine_type"),
            "model": self.text(t, row, "model", Machine, "model"),
            "serial_number": self.text(t, row, "serial_number", Machine, "serial_number").strip() or None,
            "location": self.text(t, row, "location", Machine, "location"),
            "status": self.choice(t, row, "status", Machine.Status.values, default=Machine.Status.OPERATIONAL),
            "created_at": self.date(t, row, "created_at") or self.now,
        }

    def _adopt_machine(self, values):
        if not values["serial_number"]:
            return None
        machine = Machine.objects.filter(serial_number=values["serial_number"]).first()
        if machine is not None and self._already_imported("machines", machine):
            self.fail("machines", self._row, _("le numéro de série %(serial)s est déjà celui d'une autre ligne de "
                                               "l'export.") % {"serial": values["serial_number"]})
        return machine

    # --- Tickets --------------------------------------------------------------
    def import_tickets(self):
        self.begin("tickets", Ticket)
        for row in self.rows["tickets"]:
            legacy_id = str(row["id"])
            if row.get("deleted_at"):
                self.skip("tickets", legacy_id, _("supprimé dans l'application d'origine"))
                continue
            machine = self.ref("tickets", row, "machine_id", "machines")
            reporter = self.ref("tickets", row, "reported_by", "users")
            assignee = self.ref("tickets", row, "assigned_to", "users", required=False)
            for target in (machine, reporter, assignee):
                if isinstance(target, _Skipped):
                    self.skip("tickets", legacy_id, _("renvoie à une ligne ignorée : %(reason)s")
                              % {"reason": target.reason})
                    break
            else:
                if reporter is TEAM:
                    self.fail("tickets", row, _("signalé par l'utilisateur système « Toute l'équipe »."))
                self._ticket_refs = (machine, reporter, assignee)
                updated_at = self._ticket_updated_at(row)
                self.objects["tickets"][legacy_id] = self.upsert(
                    "tickets", row, Ticket, self._ticket_fields,
                    after_save=lambda obj, u=updated_at: self._after_ticket_save(obj, u),
                )

    def _ticket_fields(self, row):
        t = "tickets"
        machine, reporter, assignee = self._ticket_refs
        ticket_id = self.text(t, row, "ticket_id", Ticket, "ticket_id", required=True)
        clash = Ticket.objects.filter(ticket_id=ticket_id)
        record = self._records[t].get(str(row["id"]))
        if record is not None:
            clash = clash.exclude(pk=record.object_id)
        if clash.exists():
            self.fail(t, row, _("le numéro %(ticket_id)s existe déjà ici sur un ticket qui ne vient pas de "
                                "l'import.") % {"ticket_id": ticket_id})
        return {
            "ticket_id": ticket_id,
            "title": self.text(t, row, "title", Ticket, "title", required=True),
            "description": self.text(t, row, "description", Ticket, "description"),
            "machine": machine,
            "reporter": reporter,
            "assigned_to": assignee if isinstance(assignee, User) else None,
            "assigned_to_team": assignee is TEAM,
            "status": self.choice(t, row, "status", Ticket.Status.values),
            "priority": self.choice(t, row, "priority", Ticket.Priority.values, default=Ticket.Priority.MEDIUM),
            "scheduled_date": self.date(t, row, "scheduled_date"),
            "created_at": self.date(t, row, "created_at") or self.now,
            "completed_at": self.date(t, row, "completed_at"),
        }

    def _ticket_updated_at(self, row):
        # Written together with created_at (factory time) until the first change,
        # then by CURRENT_TIMESTAMP (UTC): see legacy.conversions.
        if row.get("updated_at") and row.get("updated_at") == row.get("created_at"):
            return self.date("tickets", row, "updated_at", local=is_local_column("tickets", "created_at"))
        return self.date("tickets", row, "updated_at") or self.date("tickets", row, "created_at")

    def _after_ticket_save(self, ticket, updated_at):
        if updated_at:
            # updated_at is auto_now: only an UPDATE sets it verbatim.
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=updated_at)
        self._reserve_ticket_number(ticket.ticket_id)

    @staticmethod
    def _reserve_ticket_number(ticket_id):
        """Keep our per-day numbering from handing out an imported number again.

        The original numbered tickets with three random digits; a ticket created
        here on the same day could otherwise get the same number.
        """
        parts = ticket_id.rsplit("-", 2)
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) != 8 or not parts[2].isdigit():
            return
        try:
            day = datetime.strptime(parts[1], "%Y%m%d").date()
        except ValueError:
            return
        number = int(parts[2])
        sequence, _created = TicketDaySequence.objects.get_or_create(day=day)
        if sequence.last_number < number:
            TicketDaySequence.objects.filter(day=day, last_number__lt=number).update(last_number=number)

    def check_ticket_dates(self):
        """Warn when a ticket's created_at disagrees with its "Ticket créé" timeline entry.

        Both describe the same instant; an hour or more apart means the export
        was written with another clock than the one the rule above assumes.
        """
        created_entries = {}
        for row in self.rows.get("ticket_timeline", []):
            if (row.get("action") or "").strip().lower() == "ticket créé":
                created_entries.setdefault(row["ticket_id"], row)
        for row in self.rows["tickets"]:
            entry = created_entries.get(row["id"])
            if entry is None:
                continue
            created = self.date("tickets", row, "created_at")
            logged = self.date("ticket_timeline", entry, "created_at")
            if created and logged and abs(created - logged) > timedelta(hours=1):
                self.report.warnings.append(
                    _("Table « tickets », ligne id=%(id)s : created_at (%(created)s) et l'entrée « Ticket créé » "
                      "(%(logged)s) diffèrent de plus d'une heure ; vérifiez le fuseau de cet export.")
                    % {"id": row["id"], "created": created.isoformat(), "logged": logged.isoformat()}
                )

    # --- What hangs off a ticket -------------------------------------------------
    def _ticket_of(self, table, row):
        ticket = self.ref(table, row, "ticket_id", "tickets")
        if isinstance(ticket, _Skipped):
            self.skip(table, str(row["id"]), _("ticket ignoré : %(reason)s") % {"reason": ticket.reason})
            return None
        return ticket

    def import_media(self):
        if "media" not in self.rows:
            return
        self.begin("media", Media)
        for row in self.rows["media"]:
            ticket = self._ticket_of("media", row)
            if ticket is None:
                continue
            uploader = self.ref("media", row, "uploaded_by", "users", required=False)
            self._media_refs = (ticket, uploader)
            media = self.upsert("media", row, Media, self._media_fields)
            if isinstance(media, Media):
                self._copy_file("media", row, media, "file", row["file_key"], row["file_name"])

    def _media_fields(self, row):
        t = "media"
        ticket, uploader = self._media_refs
        content_type = self.text(t, row, "file_type", Media, "content_type")
        kind = Media.kind_for(content_type)
        if kind is None:
            self.fail(t, row, _("type de fichier %(type)r : ni photo ni vidéo.") % {"type": content_type})
        return {
            "ticket": ticket,
            "original_name": self.text(t, row, "file_name", Media, "original_name", required=True),
            "content_type": content_type,
            "kind": kind,
            "size": row.get("file_size"),
            "uploaded_by": uploader if isinstance(uploader, User) else None,
            "storage_key": self.text(t, row, "file_key", Media, "storage_key", required=True),
            "external_url": self.text(t, row, "url", Media, "external_url"),
            "created_at": self.date(t, row, "created_at") or self.now,
        }

    def _copy_file(self, table, row, obj, field_name, key, name):
        """Copy the bucket object `key` from --media-dir into our storage, once."""
        if self.media_dir is None or not key or getattr(obj, field_name):
            return
        counts = self.report.table(table)
        source = (self.media_dir / key).resolve()
        if not source.is_relative_to(self.media_dir):
            counts.notes[_("clé de fichier hors du dossier des médias : non copiée")] += 1
            return
        if not source.is_file():
            counts.notes[_("fichier absent du dossier des médias (reste sur le bucket d'origine)")] += 1
            return
        counts.notes[_("fichiers copiés depuis le dossier des médias")] += 1
        if self._last_status == "unchanged":
            # The row did not change, but its object now has its file: an update.
            counts.unchanged -= 1
            counts.updated += 1
        if self.dry_run:
            return
        with source.open("rb") as fh:
            getattr(obj, field_name).save(Path(name or key).name, File(fh), save=False)
        self.copied_files.append(getattr(obj, field_name))
        obj.save(update_fields=[field_name])

    def _delete_copied_files(self):
        for fieldfile in self.copied_files:
            try:
                fieldfile.storage.delete(fieldfile.name)
            except OSError:
                pass

    def import_comments(self):
        if "ticket_comments" not in self.rows:
            return
        self.begin("ticket_comments", Comment)
        for row in self.rows["ticket_comments"]:
            ticket = self._ticket_of("ticket_comments", row)
            if ticket is None:
                continue
            self._comment_ticket = ticket
            comment = self.upsert("ticket_comments", row, Comment, self._comment_fields)
            if isinstance(comment, Comment) and comment.author_id:
                self.report.table("ticket_comments").notes[_("auteur relié au compte du même nom")] += 1

    def _comment_fields(self, row):
        t = "ticket_comments"
        name = self.text(t, row, "user_name", Comment, "author_name")
        # The original kept a name, not a user: link only when exactly one person has that name.
        people = self._users_by_name.get(name.strip(), [])
        return {
            "ticket": self._comment_ticket,
            "author": people[0] if len(people) == 1 else None,
            "author_name": name,
            "author_role": self.text(t, row, "user_role", Comment, "author_role"),
            "body": self.text(t, row, "comment", Comment, "body", required=True),
            "created_at": self.date(t, row, "created_at") or self.now,
        }

    def import_timeline(self):
        if "ticket_timeline" not in self.rows:
            return
        self.begin("ticket_timeline", TimelineEntry)
        for row in self.rows["ticket_timeline"]:
            ticket = self._ticket_of("ticket_timeline", row)
            if ticket is None:
                continue
            actor = self.ref("ticket_timeline", row, "user_id", "users", required=False)
            self._timeline_refs = (ticket, actor if isinstance(actor, User) else None)
            self.upsert("ticket_timeline", row, TimelineEntry, self._timeline_fields)
            if (row.get("action") or "").strip().lower() not in TIMELINE_ACTIONS:
                self.report.table("ticket_timeline").notes[
                    _("action inconnue gardée comme « Mise à jour » (son libellé en tête du détail)")] += 1

    def _timeline_fields(self, row):
        t = "ticket_timeline"
        ticket, actor = self._timeline_refs
        label = (row.get("action") or "").strip()
        action = TIMELINE_ACTIONS.get(label.lower())
        note = self.text(t, row, "comment", TimelineEntry, "note")
        if action is None:
            # An action we have no name for: kept as an update, its label first in the note.
            action = TimelineEntry.Action.UPDATED
            note = f"{label} — {note}" if note else label
        return {
            "ticket": ticket,
            "actor": actor,
            "action": action,
            "old_value": self.text(t, row, "old_status", TimelineEntry, "old_value"),
            "new_value": self.text(t, row, "new_status", TimelineEntry, "new_value"),
            "note": note,
            "created_at": self.date(t, row, "created_at") or self.now,
        }

    # --- Messages -------------------------------------------------------------
    def import_messages(self):
        if "messages" not in self.rows:
            return
        self.begin("messages", Message)
        for row in self.rows["messages"]:
            sender = self.ref("messages", row, "sender_id", "users")
            recipient = self.ref("messages", row, "recipient_id", "users", required=False)
            if isinstance(sender, _Skipped) or isinstance(recipient, _Skipped) or sender is TEAM:
                self.skip("messages", str(row["id"]), _("expéditeur ou destinataire ignoré"))
                continue
            if row.get("message_type") == "private" and recipient is None:
                self.fail("messages", row, _("message privé sans destinataire."))
            self._message_refs = (sender, None if recipient is TEAM else recipient)
            message = self.upsert("messages", row, Message, self._message_fields)
            if isinstance(message, Message) and row.get("audio_file_key"):
                self._copy_file("messages", row, message, "audio_file", row["audio_file_key"], None)
        file_imported_messages(self.objects["users"].values())

    def _conversation_of(self, sender, recipient, public):
        """The public channel, or the pair's private conversation (made the first time)."""
        if public:
            return messaging_services.public_channel()
        first, second = Conversation.pair(sender, recipient)
        return Conversation.objects.get_or_create(kind=Conversation.Kind.PRIVATE, first=first, second=second)[0]

    def _message_fields(self, row):
        t = "messages"
        sender, recipient = self._message_refs
        public = row.get("message_type") == "public" or recipient is None
        return {
            "conversation": self._conversation_of(sender, recipient, public),
            "sender": sender,
            # The original's public messages have no recipient: ours too.
            "recipient": recipient if row.get("message_type") != "public" else None,
            "content": self.text(t, row, "content", Message, "content"),
            "is_read": bool(row.get("is_read")),
            "read_at": self.date(t, row, "read_at"),
            "audio_file_key": self.text(t, row, "audio_file_key", Message, "audio_file_key"),
            "audio_duration": row.get("audio_duration"),
            "audio_size": row.get("audio_size"),
            "audio_content_type": _audio_type(row.get("audio_file_key")),
            "created_at": self.date(t, row, "created_at") or self.now,
        }

    # --- Webhook history --------------------------------------------------------
    def import_webhook_notifications(self):
        if "webhook_notifications" not in self.rows:
            return
        model = apps.get_model("notifications", "WebhookNotification")
        self.begin("webhook_notifications", model)
        for row in self.rows["webhook_notifications"]:
            ticket = self._ticket_of("webhook_notifications", row)
            if ticket is None:
                continue
            self._webhook_ticket = ticket
            self.upsert("webhook_notifications", row, model, self._webhook_fields)

    def _webhook_fields(self, row):
        return webhook_notification_fields(self, row, self._webhook_ticket)

    # --- Roles and permissions -------------------------------------------------
    def report_rbac(self):
        if "roles" in self.rows:
            counts = self.report.table("roles")
            counts.found = len(self.rows["roles"])
            groups = set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True))
            for row in self.rows["roles"]:
                name = self.role_map.get(row.get("name"), row.get("name"))
                if name in groups:
                    counts.unchanged += 1
                    counts.notes[_("rôle associé au groupe du même nom (ses permissions : accounts.roles)")] += 1
                else:
                    counts.skipped[_("rôle sans équivalent ici (aucun utilisateur ne peut l'avoir)")] += 1
        reason = _("remplacées par les permissions Django des groupes de rôles (accounts.roles)")
        for table in ("permissions", "role_permissions"):
            if table in self.rows:
                counts = self.report.table(table)
                counts.found = len(self.rows[table])
                counts.skipped[reason] += counts.found

    def report_other_tables(self):
        for table in sorted(self.tables - set(IMPORT_ORDER)):
            if table.startswith("sqlite_") and table != "sqlite_sequence":
                continue
            counts = self.report.table(table)
            counts.found = self.memory.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            if not counts.found:
                continue
            if table in TECHNICAL_TABLES:
                counts.skipped[_("table technique de D1")] += counts.found
            else:
                counts.skipped[_("table non reprise : pas d'équivalent ici")] += counts.found


def webhook_notification_fields(importer, row, ticket):
    """The original's webhook_notifications row as notifications.WebhookNotification fields.

    The original wrote one row per POST to Pabbly (`sent_at` from toISOString(),
    so with its "Z"); `scheduled_date_notified`, which we have no column for,
    stays in the LegacyRecord. Only the fields the model has are filled, so a
    change of that model breaks nothing here.
    """
    t = "webhook_notifications"
    model = apps.get_model("notifications", "WebhookNotification")
    names = {f.name for f in model._meta.get_fields()}
    status = row.get("response_status")
    if status is not None and not isinstance(status, int):
        importer.fail(t, row, _("« response_status » n'est pas un code HTTP : %(value)r") % {"value": status})
    url = importer.text(t, row, "webhook_url", model, "webhook_url") if "webhook_url" in names else ""
    candidates = {
        "notification_type": importer.text(t, row, "notification_type", model, "notification_type")
        if "notification_type" in names else None,
        "webhook_url": url,
        "sent_at": importer.date(t, row, "sent_at"),
        "response_status": status,
        "response_body": row.get("response_body") or "",
        "created_at": importer.date(t, row, "created_at") or importer.date(t, row, "sent_at"),
        "attempt": 1,
        # The original counted any answer as sent; success here means a 2xx, as our sender does.
        "succeeded": status is not None and 200 <= status < 300,
    }
    fields = {"ticket": ticket}
    for name, value in candidates.items():
        if name in names and value is not None:
            fields[name] = value
    if "endpoint" in names and url:
        endpoint_model = model._meta.get_field("endpoint").related_model
        fields["endpoint"] = endpoint_model.objects.filter(url=url).order_by("pk").first()
    return fields


def _audio_type(key):
    """The original recorded WebM (MediaRecorder in Chrome); its keys end with the container's extension."""
    suffix = Path(key or "").suffix.lower()
    return {".webm": "audio/webm", ".ogg": "audio/ogg", ".m4a": "audio/mp4", ".mp4": "audio/mp4",
            ".mp3": "audio/mpeg", ".wav": "audio/wav"}.get(suffix, "audio/webm" if key else "")


def file_imported_messages(users):
    """After the messages: each conversation's `last_message_at`, and a read mark in the public channel
    for each imported person who has none, at its newest message. The original kept one "read" flag per
    public row, meaningless for a whole team: the history arrives read, what comes after is new.
    Add-only, so a second import changes nothing and never takes back what someone read since."""
    from django.db.models import F, Max, OuterRef, Q, Subquery

    newest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    behind = Conversation.objects.annotate(newest=Subquery(newest)).filter(
        Q(last_message_at__isnull=True) | Q(last_message_at__lt=F("newest")), newest__isnull=False)
    stale = list(behind.values_list("pk", "newest"))
    for pk, moment in stale:  # Only what an import moved: a second run writes nothing.
        Conversation.objects.filter(pk=pk).update(last_message_at=moment)
    public = Conversation.objects.filter(kind=Conversation.Kind.PUBLIC).first()
    if public is None:
        return
    until = public.messages.aggregate(newest=Max("created_at"))["newest"]
    people = [u for u in users if isinstance(u, User)]
    if until is None or not people:
        return
    marked = set(ReadMark.objects.filter(conversation=public, user__in=people).values_list("user_id", flat=True))
    ReadMark.objects.bulk_create([ReadMark(conversation=public, user=u, read_until=until)
                                  for u in people if u.pk not in marked], ignore_conflicts=True)


def _unusable_password():
    from django.contrib.auth.hashers import make_password

    return make_password(None)
