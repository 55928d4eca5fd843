"""Pages and endpoints of Web Push: the "notifications on this device" page, subscribe, unsubscribe.

The browser makes the subscription (static/js/pwa.js, after the person taps the
switch: permission is never asked on load) and posts its JSON here; the rules
(which push services, which keys, one device one person) are in
`notifications.push`. The same two operations exist for the API
(`/api/push/subscriptions`, JWT) for a native or scripted client.
"""
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import push
from .models import PushSubscription


@login_required
def device_page(request):
    """The switch for this device, and the person's other devices with a button to remove each."""
    return render(request, "notifications/device.html", {
        "push_configured": push.configured(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "devices": PushSubscription.objects.filter(user=request.user).order_by("-created_at", "-id"),
    })


def _json_body(request):
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


@login_required
@require_POST
def subscribe(request):
    try:
        subscription = push.subscribe(user=request.user, data=_json_body(request),
                                      user_agent=request.META.get("HTTP_USER_AGENT", ""), now=timezone.now())
    except ValidationError as exc:
        return JsonResponse({"subscribed": False, "detail": " ".join(exc.messages)}, status=400)
    return JsonResponse({"subscribed": True, "label": subscription.label}, status=201)


@login_required
@require_POST
def unsubscribe(request):
    data = _json_body(request)
    endpoint = data.get("endpoint", "") if isinstance(data, dict) else ""
    push.unsubscribe(user=request.user, endpoint=endpoint if isinstance(endpoint, str) else "")
    return JsonResponse({"subscribed": False})


@login_required
@require_POST
def remove_device(request, pk):
    """A device listed on the page (a lost phone, an old browser), removed without holding it."""
    get_object_or_404(PushSubscription, pk=pk, user=request.user).delete()
    messages.success(request, _("Appareil retiré : il ne recevra plus de notifications."))
    return redirect("push:device")


_SubscriptionIn = inline_serializer("PushSubscriptionIn", {
    "endpoint": serializers.URLField(),
    "keys": inline_serializer("PushSubscriptionKeys", {"p256dh": serializers.CharField(),
                                                       "auth": serializers.CharField()}),
})


class PushSubscriptionsView(APIView):
    """POST: this device receives my notifications (the browser's PushSubscription.toJSON()).
    DELETE: it no longer does ({"endpoint": …})."""

    @extend_schema(request=_SubscriptionIn, responses={201: inline_serializer(
        "PushSubscribed", {"subscribed": serializers.BooleanField(), "label": serializers.CharField()})})
    def post(self, request):
        try:
            subscription = push.subscribe(user=request.user, data=request.data,
                                          user_agent=request.META.get("HTTP_USER_AGENT", ""), now=timezone.now())
        except ValidationError as exc:
            raise serializers.ValidationError({"detail": exc.messages}) from exc
        return Response({"subscribed": True, "label": subscription.label}, status=status.HTTP_201_CREATED)

    @extend_schema(request=inline_serializer("PushUnsubscribe", {"endpoint": serializers.URLField()}),
                   responses={204: None})
    def delete(self, request):
        endpoint = request.data.get("endpoint", "") if isinstance(request.data, dict) else ""
        push.unsubscribe(user=request.user, endpoint=endpoint if isinstance(endpoint, str) else "")
        return Response(status=status.HTTP_204_NO_CONTENT)
