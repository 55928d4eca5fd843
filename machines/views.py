"""The machine pages: the QR scan, the printable labels, a page per machine."""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.models import Machine, Ticket

from . import figures, policies
from . import labels as qr
from .forms import MachineStatusForm, PeriodForm
from .models import MachineStatusChange
from .services import machine_set_status

PAST_TICKETS = 20
HISTORY_ROWS = 50


@login_required
def scan(request, pk):
    """A scanned label: the report form with this machine chosen.

    `login_required` sends a signed-out person to the sign-in page with `?next=/m/<pk>/`,
    and back here once signed in, which then sends him on to the form. An unknown
    machine (deleted since the label was printed) is the form without a choice and a message.
    """
    if not Machine.objects.filter(pk=pk).exists():
        messages.warning(request, _("Cette étiquette désigne une machine qui n'existe plus : choisissez-la dans "
                                    "la liste."))
        return redirect("web:report")
    return redirect(reverse("web:report") + "?" + urlencode({"machine": pk}))


@login_required
def qr_code(request, pk):
    machine = get_object_or_404(Machine, pk=pk)
    response = HttpResponse(qr.qr_svg(machine, scale=8), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="machine-{machine.pk}-qr.svg"'
    return response


@login_required
def labels(request):
    if not policies.can_print_labels(request.user):
        raise PermissionDenied(_("Seuls ceux qui gèrent les machines impriment leurs étiquettes."))
    machines = Machine.objects.order_by("location", "machine_type", "model")
    chosen = [pk for pk in request.GET.getlist("machine") if pk.isdigit()]
    if chosen:  # One machine's label (from its page), or a few.
        machines = machines.filter(pk__in=chosen)
    machines = list(machines)
    for machine in machines:
        machine.qr = mark_safe(qr.qr_svg(machine))  # segno's own markup, no user text inside.
        machine.scan_url = qr.scan_url(machine)
    return render(request, "machines/labels.html", {"machines": machines})


@login_required
def machine_list(request):
    """Every machine with its status and its open tickets (those the person may see). One query."""
    open_count = Count("tickets", filter=Q(tickets__in=Ticket.objects.visible_to(request.user).open()))
    machines = Machine.objects.annotate(open_count=open_count).order_by("location", "machine_type", "model")
    return render(request, "machines/list.html",
                  {"machines": machines, "can_manage": policies.can_manage(request.user)})


@login_required
def machine_detail(request, pk):
    machine = get_object_or_404(Machine, pk=pk)
    now = timezone.now()
    period = PeriodForm(request.GET or None)
    start, end, first_day, last_day = period.bounds(now=now)
    tickets = Ticket.objects.visible_to(request.user).filter(machine=machine).select_related(
        "assigned_to", "reporter")
    context = {
        "machine": machine,
        "period": period,
        "first_day": first_day,
        "last_day": last_day,
        "open_tickets": list(tickets.open().order_by("-created_at")),
        "past_tickets": list(tickets.exclude(pk__in=tickets.open().values("pk"))
                             .order_by("-completed_at", "-created_at")[:PAST_TICKETS]),
        "history": list(MachineStatusChange.objects.for_machine(machine)[:HISTORY_ROWS]),
        "figures": figures.machine_figures(machine, start=start, end=end, now=now),
        "can_manage": policies.can_manage(request.user),
        "can_report": request.user.has_perm("tickets.add_ticket"),
        "waiting": Ticket.WAITING_STATUSES,
    }
    if context["can_manage"]:
        context["status_form"] = MachineStatusForm(initial={"status": machine.status})
    return render(request, "machines/detail.html", context)


@login_required
@require_POST
def machine_status(request, pk):
    machine = get_object_or_404(Machine, pk=pk)
    form = MachineStatusForm(request.POST)
    if form.is_valid():
        try:
            change = machine_set_status(machine=machine, status=form.cleaned_data["status"], by=request.user,
                                        note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if change is None:
                messages.info(request, _("La machine était déjà dans cet état."))
            else:
                messages.success(request, _("État de la machine : %(status)s.") % {
                    "status": machine.get_status_display()})
    else:
        messages.error(request, _("Choisissez un état dans la liste."))
    return redirect("machines:detail", pk=machine.pk)
