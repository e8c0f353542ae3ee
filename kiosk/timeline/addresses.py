"""Visitor addresses and the marks around a page's fragment, declared once for the server and the kiosk's
scripts.

The timeline blueprint routes these rules (each visitor page in every language: the default language's at
the rule, every other one's under LANGUAGE_PREFIX); the kiosk's scripts get them as regular expressions
(timeline/for_scripts.py).
"""

from __future__ import annotations

from typing import NamedTuple

from markupsafe import Markup

from ..web.assets import BUILD_FOLDER

# Visitor pages, in every language.
LANGUAGE_PREFIX = "/<lang:lang>"
TIMELINE = "/"
EVENT = "/events/<slug>"
ERA = "/eras/<slug>"
PLACES = "/places"
PLACE = "/places/<place_key>"
# What audio mode says in a language (kiosk/speech): read when a visitor starts it.
SPEECH_SCRIPT = "/speech.json"
PAGES = (TIMELINE, EVENT, ERA, PLACES, PLACE, SPEECH_SCRIPT)

# What visitor pages load besides, which the offline copy keeps too: the era colours, images, the
# static files (Flask's own static route) and, once audio mode starts, its clips.
THEME = "/theme.css"
MEDIA = "/media/<key>-<size>.webp"
STATIC = "/static/<path:filename>"
# A spoken clip, named by a digest of what it says and how (kiosk/speech/store.py).
SPEECH = "/speech/<name>.ogg"
FILES = (THEME, MEDIA, STATIC, SPEECH)
# Never different under the same address: images, spoken clips and the hashed static files (web/assets.py).
UNCHANGING = (MEDIA, SPEECH, f"/static/{BUILD_FOLDER}/<path:filename>")


class Marks(NamedTuple):
    start: Markup
    end: Markup


# A page at one of these addresses also carries, between FRAGMENT's marks, the very fragment htmx gets
# from the same address; a template element is never shown, and the service worker keeps both shapes
# from one request. No fragment holds a template element of its own, so the first end mark ends it.
WITH_FRAGMENT = (EVENT, PLACE)
FRAGMENT = Marks(Markup("<template data-fragment>"), Markup("</template>"))
