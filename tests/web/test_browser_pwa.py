"""The installable app and Web Push in a real Chromium (issue 13).

What Chromium cannot do here: `pushManager.subscribe()` asks Google's push
service (FCM) for an endpoint, and this machine has no internet, so the real call
fails (test_a_real_subscription_needs_the_browsers_push_service_which_is_unreachable_here
records how). The page → server → push path is covered by replacing only
`PushManager.prototype.subscribe` with one that returns a subscription of our push
service stand-in (keys made by the test, as a browser makes them); everything after
it — the switch, the POST, the stored row, the signed and encrypted push, the
service worker showing it — is the real thing.
"""
# ruff: noqa: F811
import json
import struct

import pytest
from django.urls import reverse

from accounts.models import User
from notifications import push
from notifications.models import PushSubscription
from notifications.transports.webpush import send_push
from tests.notifications.pushservice import push_service, vapid  # noqa: F401 (fixtures)

from .conftest import DESKTOP, PHONE
from .test_browser import open_page, settled, shoot, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT_FOR_CONTROL = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise(resolve => navigator.serviceWorker.addEventListener('controllerchange', resolve));
  }
  return navigator.serviceWorker.controller.scriptURL;
}"""
CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""
# A subscription of the stand-in instead of Google's: only subscribe()/getSubscription() are replaced.
# The browser keeps a subscription across page loads: so does this one (sessionStorage).
FAKE_PUSH_MANAGER = """(() => {
  const info = %s;
  const make = () => ({ endpoint: info.endpoint, expirationTime: null, options: {}, toJSON: () => info,
                        unsubscribe: async () => { sessionStorage.removeItem('fake-push'); return true; } });
  PushManager.prototype.subscribe = async function (options) {
    window.subscribedWithKey = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
    sessionStorage.setItem('fake-push', '1');
    return make();
  };
  PushManager.prototype.getSubscription = async function () {
    return sessionStorage.getItem('fake-push') ? make() : null;
  };
})();"""


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def controlled(page):
    return page.evaluate(WAIT_FOR_CONTROL)


def test_the_manifest_makes_the_site_installable(open_page, live_server):
    page = open_page(PHONE)
    page.goto(live_server.url + reverse("web:login"))
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    manifest = json.loads(response.body())

    assert response.headers["content-type"] == "application/manifest+json"
    assert manifest["name"] == "IGP Maintenance" and manifest["short_name"] == "IGP"
    assert (manifest["start_url"], manifest["scope"], manifest["display"], manifest["lang"]) == ("/", "/",
                                                                                             "standalone", "fr")
    assert manifest["theme_color"] == "#334155" and manifest["background_color"] == "#f1f5f9"
    sizes = {}
    for icon in manifest["icons"]:
        image = page.request.get(live_server.url + icon["src"])
        assert image.ok and image.headers["content-type"] == "image/png"
        width, height = png_size(image.body())
        assert icon["sizes"] == f"{width}x{height}"
        sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes == {"any": {192, 512}, "maskable": {192, 512}}
    assert page.errors == []


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
def test_offline_a_page_shows_the_french_offline_page_and_nothing_private_is_kept(
        open_page, live_server, technician, make_ticket, viewport, screenshot_dir):
    ticket = make_ticket(title="Fuite d'huile confidentielle", assigned_to=technician)
    page = open_page(viewport)
    sign_in(page, live_server, technician.email)
    assert controlled(page) == live_server.url + "/sw.js"
    page.goto(live_server.url + ticket.get_absolute_url())
    page.get_by_text("Fuite d'huile confidentielle").first.wait_for()

    page.context.set_offline(True)
    page.reload()

    assert page.get_by_role("heading", name="Pas de connexion").is_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "confidentielle" not in page.content()
    shoot(page, screenshot_dir, f"app-offline-{'phone' if viewport == PHONE else 'desktop'}")
    cached = page.evaluate(CACHED_URLS)
    assert cached and all(url.startswith(("/static/", "/hors-ligne/", "/__igp/")) for url in cached), cached

    page.context.set_offline(False)
    page.get_by_role("button", name="Réessayer").click()
    page.get_by_text("Fuite d'huile confidentielle").first.wait_for()


def test_offline_an_english_user_gets_the_english_offline_page(open_page, live_server, technician):
    User.objects.filter(pk=technician.pk).update(language="en")
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    controlled(page)
    page.reload()  # the page tells the worker its language once it controls it
    page.wait_for_function("async () => !!(await (await caches.open('igp-meta')).match('/__igp/language'))")

    page.context.set_offline(True)
    page.goto(live_server.url + reverse("web:report"))

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="No connection").is_visible()


def test_signing_out_empties_the_caches_and_storage_of_the_device(open_page, live_server, technician):
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    controlled(page)
    page.evaluate("""async () => {
        localStorage.setItem('fold:filters', 'open');
        await (await caches.open('what-the-person-saw')).put('/tickets/X/', new Response('secret'));
    }""")

    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url(live_server.url + reverse("web:login"))

    names = page.evaluate("async () => await caches.keys()")
    assert "what-the-person-saw" not in names and "igp-meta" not in names
    assert page.evaluate("localStorage.getItem('fold:filters')") is None
    assert all(url.startswith(("/static/", "/hors-ligne/")) for url in page.evaluate(CACHED_URLS))


def test_a_real_subscription_needs_the_browsers_push_service_which_is_unreachable_here(
        open_page, live_server, technician, vapid):
    """Chromium's pushManager.subscribe() registers with FCM; with no internet it is refused (not hung)."""
    page = open_page(DESKTOP)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(page, live_server, technician.email)
    controlled(page)

    result = page.evaluate("""async (key) => {
        const registration = await navigator.serviceWorker.ready;
        const bytes = Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), c => c.charCodeAt(0));
        const timeout = new Promise(resolve => setTimeout(() => resolve('timeout'), 8000));
        const attempt = registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: bytes});
        return Promise.race([timeout, attempt.then(() => 'subscribed', e => `${e.name}: ${e.message}`)]);
    }""", vapid)

    assert result != "subscribed", "this machine reached a real push service"
    print("Chromium's own pushManager.subscribe():", result)


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
def test_tapping_the_switch_subscribes_this_device_and_a_push_reaches_it(
        open_page, live_server, technician, push_service, vapid, viewport, screenshot_dir):
    size = "phone" if viewport == PHONE else "desktop"
    info = push_service.new_subscription(vapid)
    page = open_page(viewport)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(info))
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + reverse("notifications:preferences"))  # Bell → Préférences leads here too.
    page.get_by_role("link", name="Notifications sur cet appareil").click()
    settled(page)
    switch = page.get_by_role("switch", name="Recevoir les notifications sur cet appareil")
    page.get_by_text("Désactivées sur cet appareil.", exact=True).wait_for()
    assert switch.get_attribute("aria-checked") == "false"
    assert page.evaluate("Notification.permission") == "granted"  # granted by the context, never asked on load
    shoot(page, screenshot_dir, f"push-switch-off-{size}")

    switch.click()

    page.get_by_text("Activées sur cet appareil.", exact=True).wait_for()
    assert switch.get_attribute("aria-checked") == "true"
    assert page.evaluate("window.subscribedWithKey.replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')") \
        == vapid
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.endpoint) == (technician, info["endpoint"])
    assert subscription.label.startswith("Chrome")
    page.reload()
    page.get_by_text("Activées sur cet appareil.", exact=True).wait_for()
    shoot(page, screenshot_dir, f"push-switch-on-{size}")

    payload = push.build_payload(id=1, kind="assigned", title="Ticket assigné : presse bloquée",
                                 body="IGP-PRESSE-001 · priorité haute", url="/tickets/IGP-PRESSE-001/")
    assert send_push(subscription=subscription, payload=payload).succeeded
    assert push_service.payloads() == [payload]

    switch.click()
    page.get_by_text("Désactivées sur cet appareil.", exact=True).wait_for()
    assert PushSubscription.objects.count() == 0
    assert page.errors == []


def test_the_service_worker_shows_a_push_as_a_notification_that_stays_for_a_critical_ticket(
        open_page, live_server, technician, make_ticket):
    ticket = make_ticket(title="Convoyeur arrêté", assigned_to=technician)
    page = open_page(DESKTOP)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(page, live_server, technician.email)
    controlled(page)
    payload = push.build_payload(id=9, kind="assigned", title="Ticket assigné", body="Convoyeur arrêté",
                                 url=ticket.get_absolute_url(), tag=f"ticket-{ticket.pk}", critical=True)
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):  # the events arrive just after enable
        if registrations:
            break
        page.wait_for_timeout(100)
    registration_id = next(r["registrationId"] for r in registrations if not r["isDeleted"])
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId": registration_id,
                                                  "data": json.dumps(payload)})
    shown = page.wait_for_function("""async () => {
        const list = await (await navigator.serviceWorker.ready).getNotifications();
        return list.length ? list.map(n => [n.title, n.body, n.tag, n.requireInteraction, n.data.url]) : null;
    }""").json_value()

    assert shown == [["Ticket assigné", "Convoyeur arrêté", f"ticket-{ticket.pk}", True, ticket.get_absolute_url()]]


INSTALL_PROMPT = """() => {
  const event = new Event('beforeinstallprompt', {cancelable: true});
  event.prompt = () => { window.prompted = (window.prompted || 0) + 1; return Promise.resolve(); };
  event.userChoice = Promise.resolve({outcome: 'accepted'});
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def test_a_phone_gets_a_quiet_install_hint_that_stays_dismissed(open_page, live_server, technician, screenshot_dir):
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    hint = page.locator("#install-hint")
    assert hint.is_hidden()  # nothing until the browser says the app can be installed

    assert page.evaluate(INSTALL_PROMPT) is True  # the browser's own banner is held back
    hint.get_by_text("Installez IGP Maintenance sur l’écran d’accueil").wait_for()
    shoot(page, screenshot_dir, "install-hint-phone")
    hint.get_by_role("button", name="Installer").click()

    assert page.evaluate("window.prompted") == 1
    hint.wait_for(state="hidden")
    page.reload()
    page.evaluate(INSTALL_PROMPT)
    assert hint.is_hidden()  # remembered: never asked twice


def test_a_desktop_gets_no_install_hint(open_page, live_server, technician):
    page = open_page(DESKTOP)
    sign_in(page, live_server, technician.email)
    page.evaluate(INSTALL_PROMPT)

    assert page.locator("#install-hint").is_hidden()


def test_an_iphone_is_told_in_one_line_how_to_add_the_app_and_can_say_no(browser, live_server, technician):
    context = browser.new_context(viewport=PHONE, locale="fr-CA", has_touch=True, is_mobile=True, user_agent=(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1"))
    page = context.new_page()
    sign_in(page, live_server, technician.email)
    hint = page.locator("#install-hint")

    hint.get_by_text("Sur iPhone : touchez Partager, puis « Sur l’écran d’accueil ».").wait_for()
    assert hint.get_by_role("button", name="Installer").is_hidden()
    hint.get_by_role("button", name="Non merci").click()
    page.reload()
    assert hint.is_hidden()
    context.close()
