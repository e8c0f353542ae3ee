import pytest

from kiosk.content.dates import DateError, PartialDate, check_span


def test_precision_is_kept_and_ordered():
    year, month, day = PartialDate(1935), PartialDate(1935, 8), PartialDate(1935, 8, 31)
    assert year.sort_key < month.sort_key < day.sort_key
    assert PartialDate(1934, 12, 31).sort_key < year.sort_key


@pytest.mark.parametrize(
    ("date", "label"),
    [
        (PartialDate(1906), "1906"),
        (PartialDate(1935, 8), "August 1935"),
        (PartialDate(1906, 1, 3), "3 January 1906"),
    ],
)
def test_labels_follow_precision(app, date, label):
    assert date.label() == label


@pytest.mark.parametrize(
    ("parts", "message"),
    [((1935, 13, None), "between 1 and 12"), ((1935, 2, 29), "29 days"), ((1935, None, 5), "needs a month")],
)
def test_impossible_dates_are_refused_with_a_reason(app, parts, message):
    with pytest.raises(DateError, match=message.split()[-1]):
        PartialDate(*parts)


def test_leap_day_exists_in_leap_years(app):
    assert PartialDate(1936, 2, 29).day == 29


def test_end_compares_at_its_own_precision(app):
    check_span(PartialDate(1935, 8, 30), PartialDate(1935))
    check_span(PartialDate(1936), PartialDate(1939))
    with pytest.raises(DateError):
        check_span(PartialDate(1935, 8, 30), PartialDate(1935, 8, 29))
    with pytest.raises(DateError):
        check_span(PartialDate(1936), PartialDate(1935, 12))


def test_span_label(app):
    assert PartialDate.span_label(PartialDate(1936), PartialDate(1941)) == "1936–1941"
    assert PartialDate.span_label(PartialDate(1936), None) == "1936"


@pytest.mark.parametrize(
    ("locale", "night", "autumn", "month", "years"),
    [
        ("en", "30–31 August 1935", "14 November – 17 December 1935", "August 1935", "1936 – March 1939"),
        (
            "ru",
            "30–31 августа 1935 г.",
            "14 ноября – 17 декабря 1935 г.",
            "август 1935 г.",
            "1936 – март 1939 г.",
        ),
        (
            "uk",
            "30–31 серпня 1935 р.",
            "14 листопада – 17 грудня 1935 р.",
            "серпень 1935 р.",
            "1936 – березень 1939 р.",
        ),
    ],
)
def test_dates_are_written_as_each_language_writes_them(app, locale, night, autumn, month, years):
    span = PartialDate.span_label
    assert span(PartialDate(1935, 8, 30), PartialDate(1935, 8, 31), locale=locale) == night
    assert span(PartialDate(1935, 11, 14), PartialDate(1935, 12, 17), locale=locale) == autumn
    assert PartialDate(1935, 8).label(locale) == month
    assert span(PartialDate(1936), PartialDate(1939, 3), locale=locale) == years
