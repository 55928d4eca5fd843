"""Business operations on tickets.

Views, the API, the admin and commands all call these functions, so each rule
(who may, which moves are allowed, what goes in the timeline) lives once. Each
function checks the caller's rights when given `by=`, changes the ticket and
writes its timeline entry in one transaction.
"""
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import policies, thumbnails
from .models import Comment, Media, Ticket, TicketDaySequence, TimelineEntry


class ConflictError(Exception):
    """The ticket changed under the caller's feet (another person moved it first)."""


class MediaTooLarge(ValidationError):
    """A file over its size cap. A ValidationError, so forms show it on the field;
    the API answers it with 413 rather than 400."""


def _entry(ticket, action, *, by=None, old="", new="", note="", at=None):
    """A timeline row, not saved yet (`_log` saves it; `tickets_create_many` inserts many at once)."""
    return TimelineEntry(ticket=ticket, actor=by, action=action, old_value=str(old or "")[:255],
                         new_value=str(new or "")[:255], note=note, created_at=at or timezone.now())


def _log(ticket, action, **fields):
    entry = _entry(ticket, action, **fields)
    entry.save(force_insert=True)
    return entry


def _local_iso(moment):
    """A date as the factory reads it, with its offset: 2025-11-12T09:26:00-05:00."""
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def _deny(message):
    raise PermissionDenied(message)


def ticket_create(*, reporter, machine, title, description="", priority=Ticket.Priority.MEDIUM, now=None):
    """Report a problem. The ticket number is given by the server, never chosen."""
    if not policies.can_report(reporter):
        _deny(_("Vous n'avez pas le droit de signaler un problème."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Le titre est obligatoire.")})
    with transaction.atomic():
        ticket = Ticket(
            reporter=reporter, machine=machine, title=title, description=(description or "").strip(),
            priority=priority, created_at=now or timezone.now(),
        )
        ticket.full_clean(exclude=["ticket_id"])
        ticket.save()
        _log(ticket, TimelineEntry.Action.CREATED, by=reporter, new=Ticket.Status.RECEIVED,
             note=ticket.description, at=ticket.created_at)
    return ticket


def timeline_add(*, ticket, by=None, old="", new="", note="", now=None):
    """A line in a ticket's history for what other apps do to it (a preventive plan created it, a
    checklist point was ticked): the same row the services write, so the page shows it with the rest."""
    return _log(ticket, TimelineEntry.Action.UPDATED, by=by, old=old, new=new, note=note, at=now)


class ChecklistIncomplete(ValidationError):
    """Completing a ticket whose checklist still has unticked points, without saying so (`confirm_unchecked`)."""


def ticket_move(*, ticket, to_status, by, now=None, confirm_unchecked=False):
    """Move a ticket to another status if the workflow allows it.

    The update is conditional on the status the caller saw: if someone else
    moved the ticket meanwhile, nothing changes and ConflictError says so.
    Completing stamps `completed_at`; leaving completed/archived clears it.
    Completing a ticket whose checklist (planning app) has unticked points needs
    `confirm_unchecked=True`, and the timeline says how many were left.
    """
    if not policies.can_move(by, ticket):
        _deny(_("Vous n'avez pas le droit de changer le statut de ce ticket."))
    if to_status not in Ticket.Status.values:
        raise ValidationError({"status": _("Statut inconnu : %(status)s.") % {"status": to_status}})
    if not ticket.can_move_to(to_status):
        raise ValidationError({"status": _("Passage de « %(old)s » à « %(new)s » non permis.") % {
            "old": ticket.get_status_display(), "new": Ticket.Status(to_status).label}})
    now = now or timezone.now()
    old_status = ticket.status
    if to_status == Ticket.Status.COMPLETED:
        completed_at = now
    elif to_status == Ticket.Status.ARCHIVED:
        completed_at = ticket.completed_at or now
    else:
        completed_at = None
    unticked = 0
    if to_status == Ticket.Status.COMPLETED:
        from planning.checklist import unticked_count  # planning depends on tickets, not the other way round.

        unticked = unticked_count(ticket)
        if unticked and not confirm_unchecked:
            raise ChecklistIncomplete(ngettext(
                "%(n)s point de la liste n'est pas coché : confirmez pour terminer quand même.",
                "%(n)s points de la liste ne sont pas cochés : confirmez pour terminer quand même.",
                unticked) % {"n": unticked}, code="checklist_incomplete")
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=ticket.pk, status=old_status).update(
            status=to_status, completed_at=completed_at, updated_at=now
        )
        if not changed:
            raise ConflictError(_("Ce ticket vient d'être modifié par quelqu'un d'autre. Rechargez la page."))
        entry = _log(ticket, TimelineEntry.Action.STATUS_CHANGED, by=by, old=old_status, new=to_status, at=now)
        if unticked:
            _log(ticket, TimelineEntry.Action.UPDATED, by=by, at=now, new=ngettext(
                "Terminé avec %(n)s point non coché (confirmé)", "Terminé avec %(n)s points non cochés (confirmé)",
                unticked) % {"n": unticked})
        ticket.status, ticket.completed_at, ticket.updated_at = to_status, completed_at, now
        if to_status == Ticket.Status.COMPLETED:
            from notifications import events  # notifications depends on tickets, not the other way round.

            events.ticket_completed(ticket=ticket, by=by, entry_id=entry.pk, now=now)
    return ticket


def ticket_assign(*, ticket, by, technician=None, team=False, now=None):
    """Give the ticket to one technician, to the whole team, or to nobody.

    `by=None` is the system itself (a preventive plan's ticket, assigned by the scan): no rights to check,
    no name in the timeline.
    """
    if by is not None and not policies.can_assign(by, ticket):
        _deny(_("Vous n'avez pas le droit d'assigner ce ticket."))
    field, message = _assignee_error(technician, team)
    if message:
        raise ValidationError({field: message} if field else message)
    old_label = ticket.assignee_label
    ticket.assigned_to, ticket.assigned_to_team = technician, bool(team)
    with transaction.atomic():
        ticket.save(update_fields=["assigned_to", "assigned_to_team", "updated_at"])
        entry = _log(ticket, TimelineEntry.Action.ASSIGNED, by=by, old=old_label, new=ticket.assignee_label, at=now)
        if ticket.assigned_to_id or ticket.assigned_to_team:
            from notifications import events  # notifications depends on tickets, not the other way round.

            # The assignee (or the whole team) hears of it, in this transaction: no assignment, no notification.
            events.ticket_assigned(ticket=ticket, by=by, entry_id=entry.pk, now=now)
    return ticket


def _assignee_error(technician, team):
    """(field, message) saying why this assignment cannot be, or ("", ""): ticket_assign's rule, also read
    by tickets_create_many."""
    if technician is not None and team:
        return "", _("Choisissez un technicien ou toute l'équipe, pas les deux.")
    if technician is not None and not technician.is_active:
        return "assigned_to", _("Ce compte est désactivé.")
    return "", ""


def ticket_take(*, ticket, by, now=None):
    """"Je m'en occupe": the person takes a ticket nobody has yet.

    The update is conditional on the ticket still being unassigned, so when two
    technicians tap at once one gets it and the other hears it is taken.
    """
    if not policies.can_take(by, ticket):
        _deny(_("Vous ne pouvez pas prendre ce ticket."))
    now = now or timezone.now()
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=ticket.pk, assigned_to__isnull=True, assigned_to_team=False).update(
            assigned_to=by, updated_at=now)
        if not changed:
            raise ConflictError(_("Quelqu'un vient de prendre ce ticket. Rechargez la page."))
        ticket.assigned_to, ticket.updated_at = by, now
        _log(ticket, TimelineEntry.Action.ASSIGNED, by=by, old="", new=ticket.assignee_label, at=now)
    return ticket


def ticket_schedule(*, ticket, by, scheduled_date, now=None):
    """Set or clear the date the work is planned for (aware datetime). `by=None`: the system (a plan)."""
    if by is not None and not policies.can_schedule(by, ticket):
        _deny(_("Vous n'avez pas le droit de planifier ce ticket."))
    if scheduled_date is not None and timezone.is_naive(scheduled_date):
        scheduled_date = timezone.make_aware(scheduled_date)
    old = ticket.scheduled_date
    ticket.scheduled_date = scheduled_date
    with transaction.atomic():
        ticket.save(update_fields=["scheduled_date", "updated_at"])
        _log(ticket, TimelineEntry.Action.SCHEDULED, by=by,
             old=_local_iso(old), new=_local_iso(scheduled_date), at=now)
    return ticket


@dataclass
class NewTicket:
    """One ticket for `tickets_create_many`: what ticket_create, then ticket_assign and ticket_schedule by the
    system (`by=None`), would be given. `lines` are extra timeline rows written right after "created", as
    `timeline_add` writes them: [(new, note)]. After the call, `ticket` is the ticket made, or `error` says, in
    the words the single services would use, why none was."""

    reporter: object
    machine: object
    title: str
    description: str = ""
    priority: str = Ticket.Priority.MEDIUM
    technician: object = None
    team: bool = False
    scheduled_date: object = None
    lines: tuple = ()
    ticket: Ticket | None = None
    error: str = ""


def _why_not(spec, may_report):
    """Why `ticket_create`/`ticket_assign` would refuse this spec, without a query (its users are loaded)."""
    if spec.reporter.pk not in may_report:
        return _("Vous n'avez pas le droit de signaler un problème.")
    if not (spec.title or "").strip():
        return _("Le titre est obligatoire.")
    return _assignee_error(spec.technician, spec.team)[1]


def tickets_create_many(specs, *, now=None):
    """Create many tickets at once, each as ticket_create + ticket_assign + ticket_schedule by the system would,
    in a number of queries that does not depend on how many (the preventive plans' scan, 200 plans a batch).

    The same rows as the one-by-one door, so nothing downstream can tell them apart: the "created" timeline row
    (by the reporter, with the description), the `lines`, the "assigned" row and the assignee's notification
    (keyed on that row, as `events.ticket_assigned`), the "scheduled" row. Day numbers are reserved in one
    block (`TicketDaySequence.reserve`), so concurrent creators still get distinct, consecutive numbers.
    The rights and checks are those of the single services, read once for all: a spec they would refuse gets
    its `error` and no ticket, the others go on. Returns the tickets made, in the order of `specs`.

    Queries: 1 for the reporters' right, 2–3 for the numbers, 1 INSERT of tickets, 1 of timeline rows, and the
    fan-out's constant few (plus 1 for the technicians when one goes to the whole team). Inside one transaction.
    """
    from django.contrib.auth.backends import ModelBackend

    now = now or timezone.now()
    specs = list(specs)
    reporters = {s.reporter.pk for s in specs}
    # has_perm's rule (active, superuser, by group or directly) for all the reporters in one query.
    may_report = set(ModelBackend().with_perm("tickets.add_ticket").filter(pk__in=reporters)
                     .values_list("pk", flat=True)) if reporters else set()
    made = []
    for spec in specs:
        spec.ticket, spec.error = None, _why_not(spec, may_report)
        if spec.error:
            continue
        ticket = Ticket(reporter=spec.reporter, machine=spec.machine, title=spec.title.strip(),
                        description=(spec.description or "").strip(), priority=spec.priority,
                        assigned_to=spec.technician, assigned_to_team=bool(spec.team),
                        scheduled_date=spec.scheduled_date, created_at=now)
        if ticket.scheduled_date is not None and timezone.is_naive(ticket.scheduled_date):
            ticket.scheduled_date = timezone.make_aware(ticket.scheduled_date)
        try:  # The single door's full_clean, less what costs a query (FKs are loaded objects; constraints hold).
            ticket.clean_fields(exclude=["ticket_id", "machine", "reporter", "assigned_to"])
        except ValidationError as exc:
            spec.error = " ".join(exc.messages)
            continue
        spec.ticket = ticket
        made.append(spec)
    if not made:
        return []
    with transaction.atomic():
        day = timezone.localdate(now)
        first = TicketDaySequence.reserve(day, len(made))
        for number, spec in enumerate(made, start=first):
            spec.ticket.ticket_id = Ticket.build_ticket_id(spec.machine, day, number)
        tickets = Ticket.objects.bulk_create([s.ticket for s in made])
        rows, assigned = [], []

        def row(ticket, action, **fields):  # What _log writes, inserted below with the others.
            rows.append(_entry(ticket, action, at=now, **fields))
            return rows[-1]

        for spec, ticket in zip(made, tickets, strict=True):
            row(ticket, TimelineEntry.Action.CREATED, by=spec.reporter, new=Ticket.Status.RECEIVED,
                note=ticket.description)
            for new, note in spec.lines:
                row(ticket, TimelineEntry.Action.UPDATED, new=new, note=note)
            if ticket.assigned_to_id or ticket.assigned_to_team:
                assigned.append((ticket, row(ticket, TimelineEntry.Action.ASSIGNED, new=ticket.assignee_label)))
            if ticket.scheduled_date is not None:
                row(ticket, TimelineEntry.Action.SCHEDULED, new=_local_iso(ticket.scheduled_date))
        TimelineEntry.objects.bulk_create(rows)
        if assigned:
            from notifications import events  # notifications depends on tickets, not the other way round.

            events.tickets_assigned([(t, entry.pk) for t, entry in assigned], now=now)
    return tickets


def ticket_update(*, ticket, by, **fields):
    """Edit title, description, priority or machine; one timeline line per change."""
    if not policies.can_edit(by, ticket):
        _deny(_("Vous n'avez pas le droit de modifier ce ticket."))
    allowed = {"title", "description", "priority", "machine"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Champs non modifiables : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    changes = []
    for name, value in fields.items():
        old = getattr(ticket, name)
        if old != value:
            changes.append((name, old, value))
            setattr(ticket, name, value)
    if not changes:
        return ticket
    ticket.full_clean(exclude=["ticket_id"])
    with transaction.atomic():
        ticket.save(update_fields=[c[0] for c in changes] + ["updated_at"])
        for name, old, new in changes:
            _log(ticket, TimelineEntry.Action.UPDATED, by=by, old=old, new=new, note=name)
    return ticket


def ticket_delete(*, ticket, by):
    """Delete a ticket with its comments, timeline and files; its webhook history stays.

    `WebhookNotification.ticket` is SET_NULL and the rows keep `ticket_number`, so what was sent
    about the ticket can still be read. Files go only once the rows are gone for good (on commit),
    so a rolled-back delete never leaves a ticket pointing at missing photos.
    """
    if not policies.can_delete(by, ticket):
        _deny(_("Vous n'avez pas le droit de supprimer ce ticket."))
    files = [name for m in ticket.media.all() for name in (m.file.name, m.thumbnail.name) if name]
    with transaction.atomic():
        ticket.delete()
        transaction.on_commit(lambda: _delete_files(files))


def comment_add(*, ticket, author, body, now=None):
    if not policies.can_comment(author, ticket):
        _deny(_("Vous n'avez pas le droit de commenter ce ticket."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Le commentaire est vide.")})
    with transaction.atomic():
        comment = Comment.objects.create(
            ticket=ticket, author=author, author_name=author.full_name, author_role=author.role, body=body,
            created_at=now or timezone.now(),
        )
        _log(ticket, TimelineEntry.Action.COMMENTED, by=author, note=body, at=comment.created_at)
    return comment


def _detect_media_type(upload):
    """The MIME type read from the file's first bytes, never from its name."""
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


@dataclass
class _CheckedFile:
    """One upload that passed every check, with what will be stored."""

    name: str
    content_type: str
    kind: str
    content: object  # The upload itself, or a ContentFile of the photo without its location.
    size: int
    thumbnail: bytes | None


def _refusal(message, code, *, name, named):
    """A ValidationError whose message names the file when several were sent together."""
    if named:
        message = _("« %(name)s » : %(reason)s") % {"name": name, "reason": message}
    return ValidationError(message, code=code)


def _check_upload(upload, *, named=False):
    """Type from the content, size within its kind's cap, pixels within theirs; a photo also
    loses its GPS data and gets its thumbnail here, before anything is written."""
    name = (getattr(upload, "name", "") or "fichier").rsplit("/", 1)[-1][:255]
    content_type = _detect_media_type(upload)
    kind = Media.kind_for(content_type or "")
    if kind is None:
        raise _refusal(_("Seules les photos et les vidéos sont acceptées."), "not_media", name=name, named=named)
    cap = settings.MEDIA_MAX_PHOTO_BYTES if kind == Media.Kind.PHOTO else settings.MEDIA_MAX_VIDEO_BYTES
    if upload.size > cap:
        raise _refusal(_("Fichier trop volumineux : %(size)s, maximum %(cap)s.") % {
            "size": filesizeformat(upload.size), "cap": filesizeformat(cap)}, "too_large", name=name, named=named)
    if kind == Media.Kind.VIDEO:
        return _CheckedFile(name, content_type, kind, upload, upload.size, None)
    data = upload.read()
    upload.seek(0)
    size = thumbnails.pixel_size(data)
    if thumbnails.too_many_pixels(size):
        megapixels = settings.MEDIA_MAX_IMAGE_PIXELS // 1_000_000
        if size == thumbnails.TOO_MANY_PIXELS:
            reason = _("Image trop grande : plus de %(max)s mégapixels.") % {"max": megapixels}
        else:
            reason = _("Image trop grande : %(w)s × %(h)s pixels, maximum %(max)s mégapixels.") % {
                "w": size[0], "h": size[1], "max": megapixels}
        raise _refusal(reason, "too_many_pixels", name=name, named=named)
    stored = thumbnails.without_location(data) if content_type == "image/jpeg" else data
    content = upload if stored is data else ContentFile(stored, name=name)
    thumbnail = thumbnails.make_thumbnail(data) if size is not None else None
    return _CheckedFile(name, content_type, kind, content, len(stored), thumbnail)


def media_check(uploads):
    """Every file checked before any is written: one refusal refuses the whole sending.

    All or nothing, so a ticket never ends up with some of the photos a person chose and a
    message about the others. Each refused file is named with its reason. The report form
    calls it before creating the ticket (no ticket row waits while photos are read); what
    it returns goes to `media_add_many(checked=…)`.
    """
    uploads = list(uploads)
    if not uploads:
        raise ValidationError({"file": _("Choisissez une photo ou une vidéo.")}, code="required")
    most = settings.MEDIA_MAX_FILES_PER_UPLOAD
    if len(uploads) > most:
        raise ValidationError({"file": ValidationError(
            _("Trop de fichiers : %(n)s choisis, %(max)s au plus par envoi.") % {"n": len(uploads), "max": most},
            code="too_many_files")})
    total = sum(u.size for u in uploads)
    if len(uploads) > 1 and total > settings.MEDIA_MAX_UPLOAD_BYTES:
        raise MediaTooLarge({"file": ValidationError(
            _("Envoi trop volumineux : %(size)s en tout, maximum %(cap)s par envoi. Envoyez-les en plusieurs fois.")
            % {"size": filesizeformat(total), "cap": filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES)},
            code="too_large")})
    checked, refused = [], []
    for upload in uploads:
        try:
            checked.append(_check_upload(upload, named=len(uploads) > 1))
        except ValidationError as exc:
            refused.append(exc)
    if refused:
        error_class = MediaTooLarge if all(e.code == "too_large" for e in refused) else ValidationError
        raise error_class({"file": refused})
    return checked


def _touch(ticket, now):
    """A file added or removed changes the ticket's card (its count): the live board sees it by updated_at."""
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)


def media_add_many(*, ticket, by, uploads=None, checked=None, now=None):
    """Attach several photos or videos at once; all are kept, or none.

    Each file's type is read from its content, its size held to its kind's cap, a
    photo's pixels to MEDIA_MAX_IMAGE_PIXELS; the sending is held to
    MEDIA_MAX_FILES_PER_UPLOAD files and MEDIA_MAX_UPLOAD_BYTES in all. A photo is
    stored without its GPS data and with a thumbnail (tickets/thumbnails.py). One
    timeline row per file. If writing fails half-way, the files already written are
    removed again, so storage never holds a file without its row.
    """
    if not policies.can_upload(by, ticket):
        _deny(_("Vous n'avez pas le droit d'ajouter des fichiers à ce ticket."))
    checked = checked if checked is not None else media_check(uploads)
    now = now or timezone.now()
    written = []
    try:
        with transaction.atomic():
            created = []
            for item in checked:
                media = Media(ticket=ticket, original_name=item.name, content_type=item.content_type,
                              kind=item.kind, size=item.size, uploaded_by=by, created_at=now)
                media.file.save(item.name, item.content, save=False)
                written.append(media.file.name)
                if item.thumbnail:
                    _save_thumbnail(media, item.thumbnail)
                    written.append(media.thumbnail.name)
                media.save()
                _log(ticket, TimelineEntry.Action.MEDIA_ADDED, by=by, new=item.name, at=now)
                created.append(media)
            _touch(ticket, now)
    except BaseException:
        _delete_files(written)
        raise
    return created


def _save_thumbnail(media, data):
    """Store the thumbnail and its size (the page sets width/height from them: no layout shift)."""
    media.thumbnail.save(f"{media.original_name}.webp", ContentFile(data), save=False)
    media.thumbnail_width, media.thumbnail_height = thumbnails.pixel_size(data)


def media_add(*, ticket, upload, by, now=None):
    """Attach one photo or video (the API's upload): media_add_many with a single file."""
    return media_add_many(ticket=ticket, uploads=[upload], by=by, now=now)[0]


def _delete_files(names):
    storage = Media._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


def media_delete(*, media, by, now=None):
    """Remove one photo or video: its row, a timeline line naming it, then its file and thumbnail.

    The files go once the deletion is committed: a rolled-back delete never leaves a row
    pointing at a missing file. Who may: `policies.can_delete_media`.
    """
    ticket = media.ticket
    if not policies.can_delete_media(by, media, ticket):
        _deny(_("Vous ne pouvez supprimer que les fichiers que vous avez ajoutés."))
    now = now or timezone.now()
    names = [media.file.name, media.thumbnail.name]
    with transaction.atomic():
        media.delete()
        _log(ticket, TimelineEntry.Action.MEDIA_DELETED, by=by, old=media.original_name, at=now)
        _touch(ticket, now)
        transaction.on_commit(lambda: _delete_files(names))


def media_make_thumbnail(media, *, strip_location=False):
    """Backfill for a photo stored before thumbnails (or imported): True if one was made.

    Skips videos and files still on the original app's storage. With `strip_location`,
    a stored JPEG that still carries GPS data is written again without it (same pixels)
    and the old file removed once the row points at the new one.
    """
    if media.kind != Media.Kind.PHOTO or not media.file:
        return False
    with media.file.open("rb") as handle:
        data = handle.read()
    size = thumbnails.pixel_size(data)
    made = False
    old_name = None
    if strip_location and media.content_type == "image/jpeg":
        stripped = thumbnails.without_location(data)
        if stripped is not data:
            old_name = media.file.name
            media.file.save(media.original_name, ContentFile(stripped), save=False)
            media.size = len(stripped)
    if not media.thumbnail and size is not None and not thumbnails.too_many_pixels(size):
        thumbnail = thumbnails.make_thumbnail(data)
        if thumbnail:
            _save_thumbnail(media, thumbnail)
            made = True
    if made or old_name:
        with transaction.atomic():
            media.save(update_fields=["file", "size", "thumbnail", "thumbnail_width", "thumbnail_height"])
            if old_name:
                transaction.on_commit(lambda: _delete_files([old_name]))
    return made
