"""Revisions: readable differences between two snapshots (saving and restoring them: tests/admin)."""

from kiosk.editing import revisions


def test_diff_lists_changed_fields_with_labels(app):
    old = {"headline": "A", "status": "draft", "featured": False, "sources": ["One"], "image": None}
    new = {"headline": "B", "status": "published", "featured": True, "sources": ["One", "Two"], "image": None}
    changes = revisions.diff(old, new)
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("Headline", "A", "B"),
        ("Sources", "One", "One\nTwo"),
        ("Featured", "No", "Yes"),
        ("Status", "Draft", "Published"),
    ]
    assert revisions.diff(old, old) == []


def test_diff_of_dates_and_images_reads_like_the_kiosk(app):
    old = {"start": {"year": 1935, "month": 8, "day": 30}, "image": None}
    new = {
        "start": {"year": 1935, "month": 8, "day": 31},
        "image": {"key": None, "url": "https://x/y.jpg", "alt": ""},
    }
    changes = {c.field: c for c in revisions.diff(old, new)}
    assert (changes["start"].before, changes["start"].after) == ("30 August 1935", "31 August 1935")
    assert changes["image.url"].label == "Image address (not fetched)"
    assert "image.alt" not in changes  # empty before and after


def test_long_text_gets_a_word_by_word_comparison(app):
    before = "He cut 102 tonnes of coal in a single shift, about fourteen times the norm of seven tonnes."
    after = "He cut 102 tonnes of coal in one shift, about fourteen times the norm of seven tonnes."
    [change] = revisions.diff({"body": before}, {"body": after})
    assert ("removed", "a single") in change.words
    assert ("added", "one") in change.words
    assert "".join(text for op, text in change.words if op != "added") == before
    assert "".join(text for op, text in change.words if op != "removed") == after
