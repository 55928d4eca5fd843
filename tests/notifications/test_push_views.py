"""The "notifications on this device" page, its subscribe/unsubscribe endpoints, and the API's."""
# ruff: noqa: F811
import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from notifications import push
from notifications.models import PushSubscription

from .pushservice import PushServiceStandIn, vapid  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile"


@pytest.fixture
def stand_in():
    """Only the keys and endpoint a browser would make: these tests send nothing."""
    service = PushServiceStandIn()
    yield service
    service.server.server_close()


@pytest.fixture
def client_of():
    def _client(user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client
    return _client


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_without_vapid_keys_the_page_says_push_is_not_configured_and_shows_no_switch(client_of, technician, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    page = client_of(technician).get(reverse("push:device")).content.decode()

    assert "pas encore configurées sur ce serveur" in page
    assert 'role="switch"' not in page and "data-key" not in page


def test_the_page_offers_the_switch_with_the_public_key_and_costs_the_same_with_more_devices(
        client_of, technician, vapid, stand_in, now, django_assert_num_queries):
    client = client_of(technician)
    for _ in range(3):
        push.subscribe(user=technician, data=stand_in.new_subscription(vapid), now=now)
    # Session, user, his permissions and his groups' (the header's buttons), his devices.
    with django_assert_num_queries(5):
        page = client.get(reverse("push:device")).content.decode()

    assert page.count('class="device"') == 3
    assert 'role="switch"' in page and "Recevoir les notifications sur cet appareil" in page
    assert f'data-key="{vapid}"' in page


def test_a_device_subscribes_and_is_listed_on_the_page(client_of, technician, vapid, stand_in):
    client = client_of(technician, HTTP_USER_AGENT=ANDROID)
    info = stand_in.new_subscription(vapid)

    response = post_json(client, reverse("push:subscribe"), info)

    assert response.status_code == 201 and response.json() == {"subscribed": True, "label": "Chrome · Android"}
    row = PushSubscription.objects.get()
    assert (row.user, row.endpoint, row.p256dh, row.auth) == (technician, info["endpoint"], info["keys"]["p256dh"],
                                                              info["keys"]["auth"])
    assert "Chrome · Android" in client.get(reverse("push:device")).content.decode()


def test_a_subscription_from_elsewhere_than_a_push_service_is_refused_in_french(client_of, technician, vapid,
                                                                                stand_in, settings):
    settings.WEBPUSH_ENDPOINT_HOSTS = ["fcm.googleapis.com"]
    response = post_json(client_of(technician), reverse("push:subscribe"), stand_in.new_subscription(vapid))

    assert response.status_code == 400
    assert response.json()["detail"] == "Ce service push n'est pas accepté par le serveur."
    assert PushSubscription.objects.count() == 0


def test_subscribing_needs_the_csrf_token_and_a_signed_in_person(technician, vapid, stand_in):
    info = stand_in.new_subscription(vapid)
    careful = Client(enforce_csrf_checks=True)
    careful.force_login(technician)

    assert post_json(careful, reverse("push:subscribe"), info).status_code == 403
    assert post_json(Client(), reverse("push:subscribe"), info).status_code == 302
    assert PushSubscription.objects.count() == 0


def test_turning_the_switch_off_forgets_the_device(client_of, technician, vapid, stand_in, now):
    info = stand_in.new_subscription(vapid)
    push.subscribe(user=technician, data=info, now=now)

    response = post_json(client_of(technician), reverse("push:unsubscribe"), {"endpoint": info["endpoint"]})

    assert response.json() == {"subscribed": False} and PushSubscription.objects.count() == 0


def test_a_person_removes_his_lost_phone_but_not_a_colleagues(client_of, technician, technician2, vapid, stand_in,
                                                              now):
    mine = push.subscribe(user=technician, data=stand_in.new_subscription(vapid), now=now)
    theirs = push.subscribe(user=technician2, data=stand_in.new_subscription(vapid), now=now)
    client = client_of(technician)

    assert client.post(reverse("push:remove-device", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("push:remove-device", args=[mine.pk]), follow=True)

    assert "Appareil retiré" in response.content.decode()
    assert list(PushSubscription.objects.all()) == [theirs]


def test_signing_out_forgets_this_device_and_clears_the_browsers_caches(client_of, technician, vapid, stand_in, now):
    here = push.subscribe(user=technician, data=stand_in.new_subscription(vapid), now=now)
    other_device = push.subscribe(user=technician, data=stand_in.new_subscription(vapid), now=now)

    response = client_of(technician).post(reverse("web:logout"), {"push_endpoint": here.endpoint})

    assert response.status_code == 302 and response["Clear-Site-Data"] == '"cache", "storage"'
    assert list(PushSubscription.objects.all()) == [other_device]


def test_the_api_subscribes_and_unsubscribes_a_device_with_a_token(technician, vapid, stand_in):
    api = APIClient(HTTP_USER_AGENT=ANDROID)
    info = stand_in.new_subscription(vapid)
    assert api.post("/api/push/subscriptions", info, format="json").status_code == 401

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(technician)}")
    created = api.post("/api/push/subscriptions", info, format="json")
    assert created.status_code == 201 and PushSubscription.objects.get().user == technician
    bad = api.post("/api/push/subscriptions", {**info, "keys": {"p256dh": "x", "auth": "y"}}, format="json")
    assert bad.status_code == 400
    assert api.delete("/api/push/subscriptions", {"endpoint": info["endpoint"]}, format="json").status_code == 204
    assert PushSubscription.objects.count() == 0


def test_the_admin_lists_devices_and_can_remove_a_lost_one(admin_user, technician, vapid, stand_in, now):
    device = push.subscribe(user=technician, data=stand_in.new_subscription(vapid), now=now,
                            user_agent=ANDROID)
    client = Client()
    client.force_login(admin_user)

    listing = client.get(reverse("admin:notifications_pushsubscription_changelist")).content.decode()
    assert "Chrome · Android" in listing and "Jean" in listing
    client.post(reverse("admin:notifications_pushsubscription_delete", args=[device.pk]), {"post": "yes"})
    assert PushSubscription.objects.count() == 0
