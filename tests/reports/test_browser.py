"""The reports page in Chromium on a phone and a desktop: charts drawn by the server, readable at 390 px."""
import pytest

from tests.web.test_browser import VIEWPORTS, assert_fits_a_thumb, shoot, sign_in, size_name

from . import history as h

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_reports_page_on_a_phone_and_a_desktop(open_page, live_server, viewport, supervisor, technician,
                                                   technician2, operator, machine, machine2, screenshot_dir):
    h.build(m1=machine, m2=machine2, reporter=supervisor, jean=technician, pierre=technician2, operator=operator)
    page = open_page(viewport)
    sign_in(page, live_server, supervisor.email)
    page.get_by_role("link", name="Rapports").click()
    page.get_by_label("Du").fill("2025-11-03")
    page.get_by_label("Au (inclus)").fill("2025-11-16")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**du=2025-11-03**")
    assert page.locator("svg.chart").count() == 7
    # The smallest chart text stays readable on a phone: at least 12 px once the SVG is scaled.
    smallest = page.evaluate("() => Math.min(...[...document.querySelectorAll('svg.chart text')]"
                             ".map(t => t.getBoundingClientRect().height))")
    assert smallest >= 12
    assert page.get_by_role("table", name="Temps passé dans chaque statut").is_visible()
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"reports-{size_name(viewport)}", full_page=True)
    with page.expect_download() as download:
        page.locator("#r-statuses").get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "igp-statuses-2025-11-03-2025-11-16.csv"
    assert page.errors == []
