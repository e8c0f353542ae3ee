"""The timeline's title and further reading, edited in each language the kiosk offers (editors and
admins): the default language first, every other one beside the default text, like an event's
translation. Saved by kiosk/editing/writer.py (audit entry, content version, refused over a change made
meanwhile);
kiosk/content/site_text.py reads and shapes the text."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..content import site_text
from ..editing import writer
from ..languages import choice
from ..languages.localized import OUT_OF_DATE
from .blueprint import bp, show_refusal
from .forms import SiteTextForm


@bp.route("/title", methods=["GET", "POST"])
@bp.route("/title/<lang>", methods=["GET", "POST"])
def site_text_page(lang: str | None = None):
    locale = lang or choice.default()
    if locale not in choice.offered():
        abort(404)
    form = SiteTextForm()
    if not form.is_submitted():
        form.fill_from(site_text.load(locale))
        return _page(form, locale)
    if not form.validate():
        return _page(form, locale, status=422)
    try:
        changed = writer.save_site_text(locale, form.text(), form.loaded.data or "")
    except site_text.SiteTextConflict:
        current_app.logger.info("Refused a save of the title in %s: it changed meanwhile", locale)
        # Nothing was overwritten: the saved text is shown under each field, what was typed is kept,
        # and saving again (against the text now shown) keeps theirs.
        saved = site_text.load(locale)
        form.loaded.data = saved.fingerprint
        return _page(form, locale, status=409, saved=saved)
    except writer.SaveRefused as refusal:
        return _page(form, locale, status=show_refusal(form, refusal))
    name = choice.name_for_curators(locale)
    if changed:
        flash(
            _(
                "Saved the title and further reading in %(language)s. The kiosk shows them now.",
                language=name,
            ),
            "success",
        )
    else:
        flash(_("Nothing had changed in %(language)s, so nothing was saved.", language=name), "info")
    return redirect(_url(locale))


def _url(locale: str) -> str:
    if locale == choice.default():
        return url_for("admin.site_text_page")
    return url_for("admin.site_text_page", lang=locale)


def _page(form: SiteTextForm, locale: str, status: int = 200, saved: site_text.SiteText | None = None):
    default = choice.default()
    ordered = [default, *(code for code in choice.offered() if code != default)]
    tabs = {
        code: (
            choice.name_for_curators(code, alone=True),
            _url(code),
            None if code == default else site_text.translation_state(code),
        )
        for code in ordered
    }
    page = render_template(
        "admin/site_text.html",
        form=form,
        lang=locale,
        language=choice.name_for_curators(locale),
        default_lang=default,
        default_language=choice.name_for_curators(default),
        original=None if locale == default else site_text.load(default),
        saved=saved,
        out_of_date=saved is None and tabs[locale][2] == OUT_OF_DATE,
        tabs=tabs,
        action_url=_url(locale),
    )
    return page, status
