"""The curators' events list with 16,000 events: how large and how fast its pages are.

    .venv/bin/python bench/admin_list.py [events]

The default content plus generated events (bench/generate_events.py, 16,000 in all unless told), served by
gunicorn as `make run` serves it; a curator signs in and opens: the landing page (the first page of the
list), the last page, a search (the first one makes the words of the events written without the writer,
as generate_events.py writes them: bench/README.md), the same search again, and the translation filter.
Each is timed (median of 10 after the first) and weighed (bytes of the page as sent, uncompressed: the
admin's pages are not cached). Before paging, the landing page held every event (issue 25: 17.5 MB, 51 s).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from _support import BIN, ROOT, Gunicorn, machine, prepare_data_dir, temporary_folder

PASSWORD = "coal-seam lamp 1935 pick"


def browser(base: str) -> urllib.request.OpenerDirector:
    """A curator signed in, keeping the session's cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/admin/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"username": "curator", "password": PASSWORD, "csrf_token": token}
    answer = opener.open(base + "/admin/login", urllib.parse.urlencode(form).encode())
    assert "/admin/events" in answer.geturl() or answer.status == 200
    return opener


def timed(opener, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    body = opener.open(url).read()
    return time.perf_counter() - start, len(body)


def measure(opener, url: str, rounds: int = 10) -> tuple[float, float, int]:
    """The first answer's seconds, then the median of ``rounds`` more, and the page's bytes."""
    first, size = timed(opener, url)
    return first, statistics.median(timed(opener, url)[0] for _ in range(rounds)), size


def main() -> int:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 16_000
    with temporary_folder() as folder:
        data = prepare_data_dir(folder / "data", extra_events=wanted - 43)
        env = os.environ | {"KIOSK_DATA_DIR": str(data), "FLASK_APP": "kiosk"}
        subprocess.run(
            [BIN / "flask", "users", "create", "curator"],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        with Gunicorn("kiosk:create_app()", data) as server:
            opener = browser(server.url)
            landing = opener.open(server.url + "/admin/events").read().decode()
            total = re.search(r"([\d,]+) events, by date", landing).group(1)
            pages = re.search(r"page 1 of ([\d,]+)", landing).group(1).replace(",", "")
            rows = [
                ("landing page (/admin/events)", "/admin/events"),
                ("the last page", f"/admin/events?page={pages}"),
                ("search “record shift”", "/admin/events?q=record+shift"),
                ("search “31 August”", "/admin/events?q=31+August"),
                ("Russian: not translated", "/admin/events?translation=ru:missing"),
            ]
            print(f"admin list — {total} events, {pages} pages — {machine()}")
            for name, path in rows:
                first, median, size = measure(opener, server.url + path)
                print(f"  {name:<32} first {first:6.3f} s   then median {median:6.3f} s   {size:>9,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
