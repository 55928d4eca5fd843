"""The team messaging in a real Chromium: two people writing to each other without reloading, a voice
note recorded with Chromium's fake microphone and played by the other person, and what is refused."""
# ruff: noqa: F811
import pytest
from django.urls import reverse

import tests.web.conftest as web_conftest
from messaging import services
from messaging.models import Message
from tests.web.conftest import DESKTOP, PHONE
from tests.web.test_browser import assert_fits_a_thumb, open_page, settled, shoot, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch, browser_with_microphone):
    return browser_with_microphone


@pytest.fixture
def browser_with_microphone(monkeypatch):
    """The project's Chromium, with a fake microphone (a beep) that needs no permission prompt."""
    monkeypatch.setattr(web_conftest, "CHROMIUM_ARGS", web_conftest.CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        "--autoplay-policy=no-user-gesture-required"])
    generator = web_conftest.browser.__wrapped__(monkeypatch)
    yield next(generator)
    next(generator, None)


@pytest.fixture(autouse=True)
def fast_poll(settings):
    settings.MESSAGING_POLL_SECONDS = 1


def go(page, live_server, path):
    page.goto(live_server.url + path)
    settled(page)


def test_two_people_write_to_each_other_without_reloading(open_page, live_server, technician, technician2,
                                                          screenshot_dir):
    conversation = services.private_conversation(user=technician, other=technician2)
    services.message_send(conversation=conversation, sender=technician2, content="Salut Jean, tu es au four ?")
    jean, pierre = open_page(PHONE), open_page(DESKTOP)
    sign_in(jean, live_server, technician.email)
    sign_in(pierre, live_server, technician2.email)
    assert jean.locator("#nav-messages .bell-count").inner_text() == "1"  # The header says it.
    jean.locator("#nav-messages").click()
    jean.get_by_role("link", name="Pierre").wait_for()
    assert jean.locator(".conv-unread").count() == 1
    shoot(jean, screenshot_dir, "messages-list-phone")
    jean.locator(".conv-unread .conv-link").click()
    jean.locator("#msg-content").wait_for()
    settled(jean)
    go(pierre, live_server, reverse("messaging:inbox"))
    shoot(pierre, screenshot_dir, "messages-list-desktop")
    go(pierre, live_server, conversation.get_absolute_url())

    jean.locator("#msg-content").fill("Oui, j'arrive dans 5 minutes")
    jean.keyboard.press("Enter")  # Enter sends.
    pierre.locator(".chat-msg", has_text="j'arrive dans 5 minutes").wait_for(timeout=5_000)
    assert jean.locator("#msg-content").input_value() == ""
    pierre.locator("#msg-content").fill("Parfait, merci !")
    pierre.get_by_role("button", name="Envoyer").click()
    jean.locator(".chat-msg", has_text="Parfait, merci").wait_for(timeout=5_000)
    assert jean.locator(".chat-msg").last.inner_text().count("Parfait") == 1  # Once, at the bottom.
    assert jean.locator(".chat-msg.mine").count() == 1
    assert_fits_a_thumb(jean)
    shoot(jean, screenshot_dir, "conversation-phone")
    shoot(pierre, screenshot_dir, "conversation-desktop")
    assert jean.errors == [] and pierre.errors == []


def test_a_voice_note_is_recorded_sent_and_played_by_the_other_person(open_page, live_server, technician,
                                                                      technician2, supervisor, screenshot_dir):
    conversation = services.private_conversation(user=technician, other=technician2)
    jean, pierre = open_page(PHONE), open_page(DESKTOP)
    sign_in(jean, live_server, technician.email)
    go(jean, live_server, conversation.get_absolute_url())
    record = jean.locator("[data-record]")
    record.wait_for()
    assert record.is_enabled()
    box = record.bounding_box()
    jean.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    jean.mouse.down()  # Held, as with a glove.
    jean.locator("[data-record].recording").wait_for()
    jean.wait_for_timeout(2_200)
    jean.mouse.up()
    jean.locator(".chat-msg.mine audio").wait_for(timeout=10_000)
    message = Message.objects.get()
    assert message.audio_content_type == "audio/webm" and 1 <= message.audio_duration <= 4
    assert jean.locator(".chat-msg.mine .voice-len").inner_text().endswith(f"0:0{message.audio_duration}")
    shoot(jean, screenshot_dir, "voice-note-phone")

    sign_in(pierre, live_server, technician2.email)
    go(pierre, live_server, conversation.get_absolute_url())
    audio = pierre.locator(".chat-msg audio")
    audio.evaluate("a => a.play()")
    pierre.wait_for_function("() => document.querySelector('.chat-msg audio').currentTime > 0.5", timeout=10_000)
    assert audio.evaluate("a => a.error") is None

    outsider = open_page(DESKTOP)
    sign_in(outsider, live_server, supervisor.email)
    assert outsider.goto(live_server.url + conversation.get_absolute_url()).status == 404
    audio_url = reverse("messaging:audio", kwargs={"pk": conversation.pk, "message_id": message.pk})
    assert outsider.goto(live_server.url + audio_url).status == 404
    assert jean.errors == [] and pierre.errors == []


def test_an_over_long_recording_and_an_html_file_are_refused_with_the_reason(open_page, live_server, technician,
                                                                             technician2, settings):
    settings.MESSAGING_AUDIO_MAX_SECONDS = 1
    conversation = services.private_conversation(user=technician, other=technician2)
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    go(page, live_server, conversation.get_absolute_url())
    record = page.locator("[data-record]")
    record.evaluate("b => b.dataset.maxSeconds = '60'")  # A page that would not stop by itself.
    record.click()  # Tap to start…
    page.locator("[data-record].recording").wait_for()
    page.wait_for_timeout(2_500)
    record.click()  # …tap to stop and send.
    status = page.locator("[data-record-status]")
    status.filter(has_text="Enregistrement trop long").wait_for(timeout=10_000)
    assert "1 s au plus" in status.inner_text()

    answer = page.evaluate("""async (url) => {
        const data = new FormData();
        data.append("audio", new Blob(["<!doctype html><script>alert(1)</script>"], {type: "audio/webm"}), "n.webm");
        const token = document.querySelector("[name=csrfmiddlewaretoken]").value;
        const r = await fetch(url, {method: "POST", body: data, headers: {"X-CSRFToken": token}});
        return [r.status, (await r.json()).errors[0]];
    }""", reverse("messaging:send-audio", kwargs={"pk": conversation.pk}))
    assert answer == [400, "Ce fichier n'est pas un enregistrement audio."]
    assert not Message.objects.exists()


def test_where_the_browser_cannot_record_the_button_says_why(open_page, live_server, technician, technician2,
                                                             screenshot_dir):
    conversation = services.private_conversation(user=technician, other=technician2)
    page = open_page(DESKTOP)
    page.context.add_init_script("delete window.MediaRecorder")
    sign_in(page, live_server, technician.email)
    go(page, live_server, conversation.get_absolute_url())
    record = page.locator("[data-record]")
    assert record.is_disabled()
    assert "ne sait pas enregistrer" in record.inner_text()
    page.locator("#msg-content").fill("Je tape plutôt")  # Text still works.
    page.keyboard.press("Enter")
    page.locator(".chat-msg", has_text="Je tape plutôt").wait_for()
    shoot(page, screenshot_dir, "conversation-no-recorder-desktop")
