from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def board(request):
    return HttpResponse("Tableau (à venir)")


@login_required
def ticket_detail(request, ticket_id):
    return HttpResponse(ticket_id)
