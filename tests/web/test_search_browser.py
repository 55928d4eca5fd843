"""Search in a real Chromium, on a phone and a desktop: a word of a comment or of the machine finds the card."""
import pytest

from tickets.models import Comment

from .conftest import DESKTOP, PHONE
from .test_browser import assert_fits_a_thumb, open_page, settled, shoot, sign_in  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The filters may fold away on a phone (in a <details>): open it the way a tap would.
REVEAL_JS = """(field) => { const d = field.closest('details'); if (d) d.open = true; }"""


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
def test_a_technician_finds_a_ticket_by_words_of_its_comment_and_machine(
        open_page, live_server, viewport, technician, make_ticket, machine2, screenshot_dir):  # noqa: F811
    nozzles = make_ticket(title="Buses encrassées", machine=machine2, assigned_to=technician)
    Comment.objects.create(ticket=nozzles, author=technician, body="Remplacé le roulement du moteur.")
    make_ticket(title="Fuite sur le vérin", description="Huile hydraulique sous la presse.")
    page = open_page(viewport)
    sign_in(page, live_server, technician.email)

    field = page.get_by_label("Rechercher")
    field.evaluate(REVEAL_JS)
    field.fill("roulement découpe")
    field.press("Enter")
    page.wait_for_url("**q=roulement*")
    settled(page)
    assert page.locator(".card").count() == 1
    assert "Buses encrassées" in page.locator(".card").inner_text()
    assert page.get_by_label("Rechercher").input_value() == "roulement découpe"
    assert_fits_a_thumb(page)
    assert page.errors == []
    shoot(page, screenshot_dir, f"search-{'phone' if viewport == PHONE else 'desktop'}")
