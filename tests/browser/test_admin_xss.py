"""Hostile text typed into every field of an event and an era never runs: not on the kiosk's timeline, not on
the event page or in the event layer, not in the preview, not in the admin itself.

Each payload would set ``window.__xss`` or open a dialog if it ran. The CSP would block most of them anyway,
so the test also listens for CSP violations (a blocked payload means it reached the page as markup) and
looks for injected elements: escaping and sanitising must stop them before the CSP has to."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible
from .curators import photo_file, sign_in

pytestmark = pytest.mark.browser

SHORT = '"><img src=/xss-probe onerror=window.__xss=1>'  # fits the 80-character fields
LONG = (
    "<script>window.__xss=1;alert(1)</script>"
    '<svg onload="alert(2)"></svg>'
    '<a href="javascript:window.__xss=1">tap</a>[md](javascript:alert(3))'
    '<div hx-get="/xss-probe" hx-trigger="load" hx-on::load="window.__xss=1">x</div>'
    "{{ 7*7 }}"
)
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective));
"""
INJECTED = (
    "script:not([src]), svg[onload], img[onerror], [hx-on\\:\\:load], a[href^='javascript'], "
    "[hx-get='/xss-probe']"
)


def assert_nothing_ran(page, dialogs: list, probes: list) -> None:
    assert dialogs == [], dialogs
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__violations") == []
    assert page.locator(INJECTED).count() == 0
    assert probes == []


def test_hostile_text_in_every_field_never_runs(page, live_server, curator_account, tmp_path):
    dialogs, probes = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: probes.append(request.url) if "/xss-probe" in request.url else None)
    page.add_init_script(WATCH)
    sign_in(page, live_server)

    # An era with a hostile name and description.
    page.goto(live_server.url + "/admin/eras/new")
    page.get_by_label("Name").fill(SHORT)
    page.get_by_label("Start year").fill("1935")
    page.get_by_label("End year").fill("1936")
    page.get_by_label("Description").fill(LONG)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash--success")).to_be_visible()

    # An event with hostile text in every text field, published with an image.
    page.goto(live_server.url + "/admin/events/new")
    page.get_by_label("Headline").fill("Hostile " + SHORT)
    page.get_by_label("Year", exact=True).fill("1935")
    page.get_by_label("Display date").fill(SHORT)
    era = page.get_by_label("Era")
    era.select_option(era.locator("option").last.get_attribute("value"))  # the hostile era, last in the order
    page.get_by_label("Summary").fill(LONG)
    page.get_by_label("Text", exact=True).fill(LONG)
    page.get_by_label("Sources").fill(LONG + "\n" + SHORT)
    page.get_by_label("Confidence label", exact=True).fill(SHORT)
    page.get_by_label("Place", exact=True).fill(SHORT[:80])
    page.get_by_label("Latitude").fill("48.56")
    page.get_by_label("Longitude").fill("38.65")
    page.get_by_label("Place note").fill(SHORT)
    page.get_by_label("Figure title").fill(SHORT)
    page.get_by_label("Figure rows").fill(f"{SHORT[:40]} | 102 | t\nNorm | 7 | t")
    page.get_by_label("Figure source").fill(SHORT)
    page.get_by_label("Figure confidence label").fill(SHORT[:80])
    page.get_by_label("Featured").check()
    page.get_by_label("Image", exact=True).set_input_files(photo_file(tmp_path))
    page.get_by_label("Alt text").fill(LONG)
    page.get_by_label("Caption").fill(LONG)
    page.get_by_label("Credit").fill("<script>alert(4)</script>" + SHORT)  # at most 200 characters
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("h1#event-title")).to_have_text("Hostile " + SHORT)  # shown as text
    assert_nothing_ran(page, dialogs, probes)
    slug = page.locator("#event-view").get_attribute("data-event")
    page.get_by_role("button", name="Publish").click()  # from the preview's banner
    expect(page.locator(".flash--success")).to_contain_text("The kiosk shows it now.")

    page.goto(live_server.url + "/")
    card = page.locator(f"#event-{slug}")
    expect(card).to_contain_text(SHORT)
    assert_nothing_ran(page, dialogs, probes)
    card.scroll_into_view_if_needed()
    card.click()
    expect(page.locator("#event-layer #event-title")).to_have_text("Hostile " + SHORT)
    page.locator("#event-layer .sources summary").click()
    assert_nothing_ran(page, dialogs, probes)

    page.goto(f"{live_server.url}/events/{slug}")
    expect(page.locator(".event__image")).to_have_attribute("alt", LONG)
    assert_nothing_ran(page, dialogs, probes)

    for admin_page in ("/admin/events", "/admin/eras", "/admin/events?q=Hostile"):
        page.goto(live_server.url + admin_page)
        assert_nothing_ran(page, dialogs, probes)
    page.get_by_role("link", name="Hostile " + SHORT, exact=True).click()
    expect(page.get_by_label("Headline")).to_have_value("Hostile " + SHORT)
    assert_nothing_ran(page, dialogs, probes)
    assert_accessible(page)
    assert page.outside_requests == [] and page.errors == []
