import mimetypes
import uuid
from datetime import UTC, datetime

import filetype
from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import search as text_search
from .overdue import Delay


class Machine(models.Model):
    class Status(models.TextChoices):
        OPERATIONAL = "operational", _("Opérationnelle")
        MAINTENANCE = "maintenance", _("En maintenance")
        OUT_OF_SERVICE = "out_of_service", _("Hors service")

    machine_type = models.CharField(_("type"), max_length=100)
    model = models.CharField(_("modèle"), max_length=100)
    serial_number = models.CharField(
        _("numéro de série"), max_length=100, null=True, blank=True,
        help_text=_("Unique lorsqu'il est renseigné."),
    )
    location = models.CharField(_("emplacement"), max_length=150, blank=True)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.OPERATIONAL)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        ordering = ["machine_type", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=Q(serial_number__isnull=False) & ~Q(serial_number=""),
                name="machine_serial_number_unique_when_present",
                violation_error_message=_("Une autre machine porte déjà ce numéro de série."),
            ),
        ]

    def __str__(self):
        return f"{self.machine_type} {self.model}".strip()

    def save(self, *args, **kwargs):
        self.normalize_serial_number()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.normalize_serial_number()

    def normalize_serial_number(self):
        # "" and None both mean "no serial number"; store one of them only, so the
        # conditional unique constraint sees every real number and no blank one.
        self.serial_number = (self.serial_number or "").strip() or None


# Given to a technician or to the whole team.
ASSIGNED = Q(assigned_to__isnull=False) | Q(assigned_to_team=True)


class TicketQuerySet(models.QuerySet):
    def assigned(self):
        return self.filter(ASSIGNED)

    @staticmethod
    def overdue_q(now):
        """The overdue rule of the original application, kept exactly, as a condition.

        Assigned (to someone or to the whole team), scheduled strictly before
        `now`, and still waiting for work: status received or diagnostic (the
        board shows them with the PLANIFIÉ banner). `overdue()` filters on it;
        the board sorts on it; `Ticket.is_overdue()` is its twin for one ticket
        in memory (a test checks that the two agree).
        """
        return ASSIGNED & Q(scheduled_date__lt=now, status__in=Ticket.WAITING_STATUSES)

    def overdue(self, now=None):
        return self.filter(self.overdue_q(now or timezone.now()))

    def open(self):
        return self.exclude(status__in=[Ticket.Status.COMPLETED, Ticket.Status.ARCHIVED])

    def visible_to(self, user):
        """What a person may see: everything with `view_all_tickets`, else his own."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm("tickets.view_all_tickets"):
            return self
        return self.filter(Q(reporter=user) | Q(assigned_to=user))

    def with_related(self):
        return self.select_related("machine", "reporter", "assigned_to")

    def with_media_count(self):
        """Each ticket's number of photos and videos as `media_count`, in the same query.

        A correlated subquery rather than Count() with a join: no GROUP BY over the
        board's window function and select_related columns, and a card costs no query.
        """
        count = (Media.objects.filter(ticket=OuterRef("pk")).order_by().values("ticket")
                 .annotate(n=Count("pk")).values("n"))
        return self.annotate(media_count=Coalesce(Subquery(count, output_field=models.IntegerField()), 0))

    def search(self, text):
        """Tickets where every word of `text` is found: number, title, description, machine, comments.

        Full-text with French stemming on PostgreSQL, substrings on SQLite:
        tickets/search.py says what each finds and why. One query either way.
        """
        words = text_search.search_words(text)
        if not words:
            return self
        match = (text_search.postgresql_word if connections[self.db].vendor == "postgresql"
                 else text_search.substring_word)
        condition = Q()
        for word in words:
            condition &= match(word)
        return self.filter(condition)


class TicketDaySequence(models.Model):
    """The last ticket number handed out on a day (factory time).

    Replaces the original's random three digits, which could collide: the
    counter row is incremented with an UPDATE that locks it until the ticket is
    saved, so two tickets created at the same instant get consecutive numbers.
    """

    day = models.DateField(_("jour"), primary_key=True)
    last_number = models.PositiveIntegerField(_("dernier numéro"), default=0)

    class Meta:
        verbose_name = _("séquence quotidienne")
        verbose_name_plural = _("séquences quotidiennes")

    def __str__(self):
        return f"{self.day:%Y-%m-%d} : {self.last_number}"

    @classmethod
    def reserve(cls, day, count):
        """Reserve `count` consecutive numbers of `day` (two queries, whatever `count`); returns the first.
        Must run inside the caller's transaction: the row stays locked until it commits."""
        for _attempt in range(3):
            if cls.objects.filter(day=day).update(last_number=F("last_number") + count):
                return cls.objects.values_list("last_number", flat=True).get(day=day) - count + 1
            try:
                with transaction.atomic():
                    cls.objects.create(day=day, last_number=count)
                return 1
            except IntegrityError:
                continue  # Another transaction created the day's row first: increment it.
        raise RuntimeError("Impossible de réserver un numéro de ticket.")


class Ticket(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçu")
        DIAGNOSTIC = "diagnostic", _("Diagnostic")
        IN_PROGRESS = "in_progress", _("En cours")
        WAITING_PARTS = "waiting_parts", _("En attente de pièces")
        COMPLETED = "completed", _("Terminé")
        ARCHIVED = "archived", _("Archivé")

    class Priority(models.TextChoices):
        LOW = "low", _("Basse")
        MEDIUM = "medium", _("Moyenne")
        HIGH = "high", _("Haute")
        CRITICAL = "critical", _("Critique")

    # Statuses in which a scheduled ticket still waits for someone to start.
    WAITING_STATUSES = (Status.RECEIVED, Status.DIAGNOSTIC)

    # The one place that says which status moves are allowed.
    TRANSITIONS = {
        Status.RECEIVED: (Status.DIAGNOSTIC, Status.IN_PROGRESS, Status.WAITING_PARTS),
        Status.DIAGNOSTIC: (Status.RECEIVED, Status.IN_PROGRESS, Status.WAITING_PARTS, Status.COMPLETED),
        Status.IN_PROGRESS: (Status.DIAGNOSTIC, Status.WAITING_PARTS, Status.COMPLETED),
        Status.WAITING_PARTS: (Status.DIAGNOSTIC, Status.IN_PROGRESS),
        Status.COMPLETED: (Status.IN_PROGRESS, Status.ARCHIVED),
        Status.ARCHIVED: (Status.IN_PROGRESS,),
    }

    TEAM_LABEL = "Équipe complète"

    ticket_id = models.CharField(_("numéro de ticket"), max_length=120, unique=True, editable=False)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("machine")
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    priority = models.CharField(_("priorité"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_tickets",
        verbose_name=_("signalé par"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tickets", verbose_name=_("assigné à"),
    )
    assigned_to_team = models.BooleanField(
        _("assigné à toute l'équipe"), default=False,
        help_text=_("« Toute l'équipe » : n'importe quel technicien peut le prendre."),
    )
    scheduled_date = models.DateTimeField(_("date planifiée"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        permissions = [
            ("view_all_tickets", _("Voir tous les tickets")),
            ("move_ticket", _("Changer le statut d'un ticket")),
            ("assign_ticket", _("Assigner un ticket")),
            ("take_ticket", _("Prendre un ticket non assigné (« Je m'en occupe »)")),
            ("schedule_ticket", _("Planifier un ticket")),
            ("comment_ticket", _("Commenter un ticket")),
            ("upload_media", _("Joindre des photos et vidéos")),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_date"], name="ticket_status_scheduled_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(assigned_to__isnull=False) & Q(assigned_to_team=True)),
                name="ticket_assigned_to_person_or_team",
                violation_error_message=_("Un ticket est assigné à une personne ou à toute l'équipe, pas aux deux."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "diagnostic", "in_progress", "waiting_parts",
                                        "completed", "archived"]),
                name="ticket_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=["low", "medium", "high", "critical"]),
                name="ticket_priority_valid",
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} — {self.title}"

    def save(self, *args, **kwargs):
        if not self.ticket_id:
            with transaction.atomic():
                day = timezone.localdate(self.created_at)
                number = TicketDaySequence.reserve(day, 1)
                self.ticket_id = self.build_ticket_id(self.machine, day, number)
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("web:ticket-detail", kwargs={"ticket_id": self.ticket_id})

    @staticmethod
    def build_ticket_id(machine, day, number):
        """IGP-<TYPE>-<MODEL>-<YYYYMMDD>-<NNN>, upper case, as the original wrote it.

        A "/" in a machine name would split the ticket's URL in two, so it becomes "-".
        """
        label = f"{machine.machine_type}-{machine.model}".replace("/", "-")
        return f"IGP-{label}-{day:%Y%m%d}-{number:03d}".upper()

    # --- Assignment -----------------------------------------------------
    @property
    def is_assigned(self):
        return self.assigned_to_id is not None or self.assigned_to_team

    @property
    def assignee_is_inactive(self):
        """Assigned to a deactivated account: it stays assigned (and alerted), shown as such."""
        return self.assigned_to_id is not None and not self.assigned_to.is_active

    @property
    def assignee_label(self):
        """The technician's name, "Équipe complète", or "" when nobody has it."""
        if self.assigned_to_team:
            return self.TEAM_LABEL
        if self.assigned_to_id:
            return str(self.assigned_to)
        return ""

    # --- Status ---------------------------------------------------------
    def allowed_statuses(self):
        return self.TRANSITIONS.get(self.status, ())

    def can_move_to(self, status):
        return status in self.allowed_statuses()

    @property
    def is_open(self):
        return self.status not in (self.Status.COMPLETED, self.Status.ARCHIVED)

    # --- Overdue --------------------------------------------------------
    def is_overdue(self, now=None):
        """Same rule as `Ticket.objects.overdue()`, for a ticket already in memory."""
        now = now or timezone.now()
        return bool(
            self.is_assigned
            and self.scheduled_date is not None
            and self.scheduled_date < now
            and self.status in self.WAITING_STATUSES
        )

    def overdue_delay(self, now=None) -> Delay | None:
        now = now or timezone.now()
        if not self.is_overdue(now):
            return None
        # In UTC: Python subtracts two datetimes sharing one tzinfo by wall time,
        # which is an hour off across a DST change.
        return Delay.from_timedelta(now.astimezone(UTC) - self.scheduled_date.astimezone(UTC))


def media_upload_to(instance, filename):
    """A random name with the extension of the type read from the content.

    The client's name is kept in `original_name` only: it can never choose a
    path, overwrite another file, or give a PNG a `.html` or `.exe` extension
    that a web server or a desktop would act on. A type filetype does not know
    gets no extension at all.
    """
    kind = filetype.get_type(mime=instance.content_type) if instance.content_type else None
    suffix = f".{kind.extension}" if kind else ""
    return f"tickets/{instance.ticket_id}/{uuid.uuid4().hex}{suffix}"


def thumbnail_upload_to(instance, filename):
    """Beside the ticket's files, random too; always WebP (tickets/thumbnails.py writes it)."""
    return f"tickets/{instance.ticket_id}/thumbs/{uuid.uuid4().hex}.webp"


class Media(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Vidéo")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="media", verbose_name=_("ticket"))
    file = models.FileField(_("fichier"), upload_to=media_upload_to, max_length=255, blank=True)
    # A small WebP made at upload (tickets/thumbnails.py): rotated upright, without any metadata.
    # Empty for videos, for files still on the original app's storage, and for photos Pillow cannot read.
    thumbnail = models.ImageField(
        _("miniature"), upload_to=thumbnail_upload_to, max_length=255, blank=True,
        width_field="thumbnail_width", height_field="thumbnail_height",
    )
    thumbnail_width = models.PositiveSmallIntegerField(_("largeur de la miniature"), null=True, blank=True)
    thumbnail_height = models.PositiveSmallIntegerField(_("hauteur de la miniature"), null=True, blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type MIME"), max_length=100)
    kind = models.CharField(_("genre"), max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("téléversé par"),
    )
    # Files imported from the original application stay on its bucket until copied.
    storage_key = models.CharField(_("clé d'origine"), max_length=500, blank=True)
    external_url = models.URLField(_("adresse d'origine"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("ajouté le"), default=timezone.now)

    class Meta:
        verbose_name = _("photo ou vidéo")
        verbose_name_plural = _("photos et vidéos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="media_ticket_created_idx")]

    def __str__(self):
        return self.original_name

    @staticmethod
    def kind_for(content_type):
        if content_type.startswith("image/"):
            return Media.Kind.PHOTO
        if content_type.startswith("video/"):
            return Media.Kind.VIDEO
        return None

    @property
    def guessed_type(self):
        return self.content_type or mimetypes.guess_type(self.original_name)[0] or "application/octet-stream"


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments", verbose_name=_("ticket"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("auteur"),
    )
    # The original stored a name and a role, not a user: kept for imported comments.
    author_name = models.CharField(_("nom de l'auteur"), max_length=150, blank=True)
    author_role = models.CharField(_("rôle de l'auteur"), max_length=32, blank=True)
    body = models.TextField(_("commentaire"))
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_created_idx")]

    def __str__(self):
        return f"{self.display_author} : {self.body[:50]}"

    @property
    def display_author(self):
        return str(self.author) if self.author_id else self.author_name


class TimelineEntry(models.Model):
    """One line of a ticket's history. Written by the services, never edited."""

    class Action(models.TextChoices):
        CREATED = "created", _("Ticket créé")
        STATUS_CHANGED = "status_changed", _("Changement de statut")
        ASSIGNED = "assigned", _("Assignation")
        SCHEDULED = "scheduled", _("Planification")
        COMMENTED = "commented", _("Commentaire")
        MEDIA_ADDED = "media_added", _("Fichier ajouté")
        MEDIA_DELETED = "media_deleted", _("Fichier supprimé")
        UPDATED = "updated", _("Mise à jour")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("ticket"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("par"),
    )
    # The actor's name when the row was written: the history still says who,
    # even if the account is later deleted (or renamed).
    actor_name = models.CharField(_("nom de l'auteur"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    old_value = models.CharField(_("ancienne valeur"), max_length=255, blank=True)
    new_value = models.CharField(_("nouvelle valeur"), max_length=255, blank=True)
    note = models.TextField(_("détail"), blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("entrée d'historique")
        verbose_name_plural = _("historique")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="timeline_ticket_created_idx")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.words(self.old_value)} → {self.words(self.new_value)})"

    def save(self, *args, **kwargs):
        # Here rather than in each writer (services, import, admin): no row without its author's name.
        if self.actor_id and not self.actor_name:
            self.actor_name = str(self.actor)[:255]
        super().save(*args, **kwargs)

    def words(self, value, *, date_style="SHORT_DATETIME_FORMAT"):
        """A stored value as a person reads it: "En cours", not `in_progress`; a date in factory time;
        the whole team in the reader's language.

        Statuses and dates are stored as codes and ISO strings (the API and the import
        read them back); every screen that shows them to people goes through here
        (the admin, and the ticket page with the longer `DATETIME_FORMAT`).
        """
        if self.action in (self.Action.STATUS_CHANGED, self.Action.CREATED) and value in Ticket.Status.values:
            return str(Ticket.Status(value).label)
        if value == Ticket.TEAM_LABEL:
            return str(_("Équipe complète"))
        if self.action == self.Action.SCHEDULED and value:
            try:
                return date_format(timezone.localtime(datetime.fromisoformat(value)), date_style)
            except ValueError:
                return value
        return value

    @property
    def display_actor(self):
        """Who wrote it: the account's current name, or the name kept when the account is gone."""
        return str(self.actor) if self.actor_id else self.actor_name
