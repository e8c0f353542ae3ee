"""Every text a visitor reads is translatable: an image's credit and a figure's title, source, confidence
label, bar labels and units, edited in the translation editor like the rest of an event's text, carried by
our JSON, and shown on the visitor's pages with the default language marked where it is not translated."""

from __future__ import annotations

import json

from kiosk.content import fields
from kiosk.interchange import exporters

from ..helpers import attach_image, make_event
from .conftest import form_values

FIGURE = {
    "title": "Coal in one shift",
    "rows": [
        {"label": "The norm", "value": 7, "unit": "t"},
        {"label": "His shift", "value": 102, "unit": "t"},
    ],
    "source": "The shift report",
    "confidence": "As officially reported",
}


def a_figure_event():
    return make_event(slug="a-figure", headline="A figure", figure=FIGURE)


def a_picture_event():
    event = make_event(slug="a-picture", headline="A picture")
    attach_image(event, credit="Photo: the archive")
    return event


def translate(curator, event, **typed):
    url = f"/admin/events/{event.id}/translations/ru"
    loaded = form_values(curator.get(url).get_data(as_text=True), url)
    return curator.post(url, loaded | {"headline": "Цифра"} | typed)


def test_the_figure_and_the_credit_are_translated_beside_their_default_text(curator, client):
    event = a_figure_event()
    page = curator.get(f"/admin/events/{event.id}/translations/ru").get_data(as_text=True)
    for name in ("image_credit", "figure_title", "figure_rows", "figure_source", "figure_confidence"):
        assert f'name="{name}"' in page
    assert "The norm | t\nHis shift | t" in page  # the rows to translate, numbers left out

    saved = translate(
        curator,
        event,
        figure_title="Уголь за смену",
        figure_rows="Норма | т\nЕго смена | т",
        figure_confidence="По официальным данным",
    )
    assert saved.status_code == 302
    html = client.get("/ru/events/a-figure").get_data(as_text=True)
    assert '<figcaption class="chart__title">Уголь за смену</figcaption>' in html
    assert '<th scope="row">Норма</th><td>7\u00a0т</td>' in html and "102\u00a0т" in html
    assert '<span class="tag tag--confidence">По официальным данным</span>' in html
    picture = a_picture_event()
    assert translate(curator, picture, image_alt="Забой", image_credit="Фото: архив").status_code == 302
    assert '<span class="credit">Фото: архив</span>' in client.get("/ru/events/a-picture").get_data(
        as_text=True
    )
    assert 'lang="en">Coal in one shift' not in html
    english = client.get("/events/a-figure").get_data(as_text=True)
    assert '<figcaption class="chart__title">Coal in one shift<' in english and "Уголь" not in english


def test_what_is_not_translated_yet_is_marked_with_the_default_language(curator, client):
    event = a_figure_event()
    assert (
        translate(curator, event, figure_title="Уголь за смену", figure_rows="Норма\nЕго смена").status_code
        == 302
    )
    html = client.get("/ru/events/a-figure").get_data(as_text=True)
    assert '<th scope="row">Норма</th><td lang="en">7\u00a0t</td>' in html  # the unit left English
    assert '<span class="tag tag--confidence" lang="en">As officially reported</span>' in html
    picture = a_picture_event()
    assert translate(curator, picture, image_alt="Забой").status_code == 302
    assert 'class="credit" lang="en">Photo: the archive<' in client.get("/ru/events/a-picture").get_data(
        as_text=True
    )


def test_a_translated_figure_needs_a_line_for_each_bar(curator):
    event = a_figure_event()
    refused = translate(curator, event, figure_title="Уголь", figure_rows="Только одна строка")
    assert refused.status_code == 422
    assert "Translate each of the figure&#39;s 2 rows" in refused.get_data(as_text=True)
    assert fields.translations_of(event).get("ru") is None  # nothing saved


def test_our_json_carries_the_translated_figure_and_credit_and_reads_them_back(curator, app):
    event, picture = a_figure_event(), a_picture_event()
    rows = "Норма | т\nЕго смена | т"
    assert translate(curator, event, figure_title="Уголь", figure_rows=rows).status_code == 302
    assert translate(curator, picture, image_alt="Забой", image_credit="Фото").status_code == 302
    document = json.loads(exporters.export("json"))
    items = {item["slug"]: item for item in document["events"]}
    assert items["a-picture"]["translations"]["ru"]["image_credit"] == "Фото"
    russian = items["a-figure"]["translations"]["ru"]
    assert russian["figure"]["title"] == "Уголь" and russian["figure"]["rows"][1] == {
        "label": "Его смена",
        "unit": "т",
    }
    assert "value" not in russian["figure"]["rows"][0]  # the numbers are the figure's own
    in_russian = json.loads(exporters.export("timelinejs", "ru"))
    slide = next(slide for slide in in_russian["events"] if slide["unique_id"] == "a-picture")
    assert slide["media"]["credit"] == "Фото"
    assert document["version"] == 4
