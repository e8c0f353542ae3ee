"""Every page a visitor or a curator can open is valid HTML by the Nu HTML Checker (vnu-jar from npm).

The URL map is walked, so a new page is checked as soon as it exists: each GET route is opened with
real values (an event, an era, a revision), signed in as an administrator for the admin, and every
answer that is an HTML document is written to a folder that one run of the checker reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import select

from kiosk.editing import writer
from kiosk.extensions import db
from kiosk.models import Era, Place, Status, User

from ..fixture_timeline import FIXTURE
from ..helpers import changes_of, make_event
from ..visits import enrol, now_ms, report_in
from .conftest import Curator, form_values, sign_in_from, signed_out_by_a_long_pause, token_of

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Routes that never answer with a page of their own: files, JSON, redirects and form endpoints.
NOT_PAGES = {
    "static",
    "timeline.media",
    "timeline.offline_manifest",
    "timeline.service_worker",
    "timeline.version",
    "timeline.healthz",
    "timeline.era_colours",
    "admin.export",
    "admin.analytics_csv",
    "admin.logout",
}


def page_urls(app, values: dict[str, str], per_endpoint: dict[str, dict[str, str]]) -> list[str]:
    """One URL per GET route, its arguments filled from ``values`` or the endpoint's own (a route with
    an argument nobody knows fails here, so that it gets a value instead of going unchecked)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        known = values | per_endpoint.get(rule.endpoint, {})
        missing = rule.arguments - known.keys()
        assert not missing, f"{rule.rule}: give {sorted(missing)} a value to check this page"
        urls.append(rule.build({name: known[name] for name in rule.arguments}, append_unknown=False)[1])
    return urls


def validation_errors(folder: Path) -> list[str]:
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine', '?')}: {m['message']}"
        f"  [{m.get('extract', '').strip()[:120]}]"
        for m in messages
    ]


def test_every_visitor_and_admin_page_is_valid_html(server, administrator, tmp_path):
    assert shutil.which("java"), "the checker needs Java: make test installs Debian's default-jre-headless"
    visitor = Curator(server.test_client())  # a browser of its own, never signed in
    event = make_event(body="A *short* text.", status=Status.PUBLISHED)
    writer.save_event(event, changes_of(event, headline="The record, revised"), event.version)  # a revision
    era = db.session.scalar(select(Era).order_by(Era.position))
    place = db.session.scalar(select(Place).order_by(Place.id))
    assert era is not None and place is not None
    values = {
        "slug": event.slug,
        "event_id": str(event.id),
        "era_id": str(era.id),
        "place_id": str(place.id),
        "number": "1",
        "name": "gallery-3",
        "lang": "ru",  # a visitor page in another language (the default one has no prefix)
        "code": "uk",  # a translation in the admin
        "place_key": FIXTURE.places[0],  # a place on the timeline
        "user_id": "1",
    }
    # The Kiosks page with a kiosk that reports an error, and one asking to report.
    kiosk_client = server.test_client()
    report_in(kiosk_client, enrol(server, "gallery-3"), error={"message": "TypeError: boom", "at": now_ms()})
    kiosk_client.post(
        "/fleet/enrol", json={"kiosk": "foyer"}, headers={"Authorization": "Bearer " + "f" * 32}
    )
    pages = page_urls(server, values, {"timeline.era": {"slug": era.slug}})
    pages += ["/events/no-such-event", "/admin/events?status=draft", "/?kiosk=gallery-3"]

    folder = tmp_path / "pages"  # beside the test's data folder, which the checker must not read
    folder.mkdir()
    written = 0
    for url in dict.fromkeys(pages):
        person = visitor if not url.startswith("/admin") else administrator
        response = person.get(url)
        if response.status_code in {301, 302, 303, 405} or response.mimetype != "text/html":
            continue
        name = url.strip("/").replace("/", "_").replace("?", "_") or "index"
        (folder / f"{name}.html").write_bytes(response.get_data())
        written += 1
    # The title and further reading after a refused save (a message at a field) and after a conflict.
    title_url = "/admin/title/ru"
    typed = form_values(administrator.get(title_url).get_data(as_text=True), title_url)
    for name, values in {
        "refused": typed | {"headline": ""},
        "conflict": typed | {"summary": "Typed meanwhile", "loaded": "an older text"},
    }.items():
        response = administrator.post(title_url, values)
        assert response.status_code in {409, 422}
        (folder / f"admin_title_{name}.html").write_bytes(response.get_data())
    # A new kiosk's start address, and opening hours mistyped.
    added = administrator.post("/admin/kiosks/add", {"name": "stairs", "label": "By the stairs"})
    (folder / "admin_kiosk_added.html").write_bytes(added.get_data())
    hours = form_values(
        administrator.get("/admin/kiosks").get_data(as_text=True), "/admin/kiosks/opening-hours"
    )
    mistyped = administrator.post("/admin/kiosks/opening-hours", hours | {"mon_opens": "", "action": "save"})
    assert mistyped.status_code == 422
    (folder / "admin_opening_hours_mistyped.html").write_bytes(mistyped.get_data())
    # The sign-in page as someone signed out sees it.
    (folder / "admin_login.html").write_bytes(visitor.get("/admin/login").get_data())
    # A form refused for its token, then a save sent after the session ended: the sign-in page keeping
    # what was typed, and the page offering to send it once signed in again.
    edit_url = f"/admin/events/{event.id}/edit"
    form = administrator.get(edit_url).get_data(as_text=True)
    sent = form_values(form, edit_url) | {"action": "save", "csrf_token": token_of(form)}
    browser = administrator.client
    (folder / "admin_token_refused.html").write_bytes(
        browser.post(edit_url, data=sent | {"csrf_token": "stale"}).get_data()
    )
    signed_out_by_a_long_pause(browser)
    kept = browser.post(edit_url, data=sent)
    assert kept.status_code == 401
    (folder / "admin_login_keeping.html").write_bytes(kept.get_data())
    offer = sign_in_from(browser, kept.get_data(as_text=True), username="boss")
    assert offer.status_code == 200
    (folder / "admin_kept.html").write_bytes(offer.get_data())
    assert written >= 20, f"only {written} pages were rendered: the walk lost its way"

    assert validation_errors(folder) == []


def test_the_curators_pages_in_each_of_their_states_are_valid_html_in_every_language(
    server, administrator, colleague, tmp_path
):
    """The pages and states curators meet day to day, in the admin's three languages: an event with
    changes not published (its form, the list, the preview), the list after a search and after Delete
    (with Undo), a warning about a duplicate, the conflict page saying who changed what, an out-of-date
    translation showing what changed, and the accounts' pages with a refusal on them."""
    folder = tmp_path / "curators"
    folder.mkdir()

    def keep(name: str, response, *statuses: int) -> None:
        assert response.status_code in (statuses or (200,)), (name, response.status_code)
        (folder / f"{name}.html").write_bytes(response.get_data())

    for lang in ("en", "ru", "uk"):
        for person in (administrator, colleague):
            person.post("/admin/language", {"lang": lang, "next": "/admin/events"})
        event = make_event(
            headline=f"Shift {lang}", summary="Coal, counted in tonnes.", status=Status.PUBLISHED
        )
        edit_url = f"/admin/events/{event.id}/edit"
        opened = form_values(administrator.get(edit_url).get_data(as_text=True), edit_url)
        theirs = form_values(colleague.get(edit_url).get_data(as_text=True), edit_url)
        # Anna's changes wait unpublished; the curator's, from the same version, meet them.
        colleague.post(edit_url, theirs | {"action": "save", "headline": f"Anna's shift {lang}"})
        keep(f"{lang}_conflict", administrator.post(edit_url, opened | {"summary": "Coal, weighed."}), 409)
        keep(f"{lang}_unpublished_form", administrator.get(edit_url))
        keep(f"{lang}_unpublished_list", administrator.get("/admin/events"))
        keep(f"{lang}_preview", administrator.get(f"/admin/events/{event.id}/preview?lang={lang}"))
        keep(f"{lang}_search", administrator.get("/admin/events", query_string={"q": "shift tonnes"}))
        again = form_values(administrator.get(edit_url).get_data(as_text=True), edit_url)
        twice = again | {"slug": "", "headline": f"Shift {lang}"}  # the event as it is published
        keep(f"{lang}_duplicate", administrator.post("/admin/events/new", twice), 422)
        # Published, the translation made before is out of date, what changed marked.
        administrator.post(edit_url, again | {"action": "publish", "summary": "Coal, counted in tons."})
        translation = f"/admin/events/{event.id}/translations/ru"
        typed = form_values(administrator.get(translation).get_data(as_text=True), translation)
        administrator.post(translation, typed | {"headline": "Смена"})
        again = form_values(administrator.get(edit_url).get_data(as_text=True), edit_url)
        administrator.post(edit_url, again | {"action": "publish", "summary": "Coal, weighed in tons."})
        keep(f"{lang}_translation_out_of_date", administrator.get(translation))
        moved = administrator.post(f"/admin/events/{event.id}/delete", {"version": str(event.version + 5)})
        keep(f"{lang}_undo", administrator.get(moved.headers["Location"]))
        keep(f"{lang}_accounts", administrator.get("/admin/accounts"))
        anna = f"/admin/accounts/{colleague_id(server)}"
        keep(f"{lang}_account_refused", administrator.post(f"{anna}/password", {"password": "short"}), 422)
        keep(f"{lang}_account_remove", administrator.get(f"{anna}/remove"))
        keep(f"{lang}_new_account_refused", administrator.post("/admin/accounts/new", {"username": "?"}), 422)
        keep(f"{lang}_own_password_refused", administrator.post("/admin/password", {"password": "x"}), 422)
    assert validation_errors(folder) == []


def colleague_id(server) -> int:
    return db.session.scalar(select(User.id).where(User.username == "anna"))
