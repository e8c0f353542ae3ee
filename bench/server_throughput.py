"""Requests per second of the kiosk's `/` and of an event fragment, against a bare Flask "hello" app.

All three are served by gunicorn with kiosk/gunicorn_conf.py and loaded by the same generator in the
same run, so the ratios say how much our pages cost compared with the cheapest possible Flask response.
Goal: both ratios >= 0.8.  Run: .venv/bin/python bench/server_throughput.py
"""

from __future__ import annotations

import shutil

from _support import (
    HELLO_APP,
    KIOSK_APP,
    Gunicorn,
    machine,
    prepare_data_dir,
    requests_per_second,
    temporary_folder,
)

EVENT = "/events/record-shift-102-tonnes"
GOAL = 0.8
ROUNDS = 3
# What a kiosk's Chromium sends: it accepts compressed responses.
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def main() -> None:
    print(f"Machine: {machine()}; load generator: {'wrk' if shutil.which('wrk') else 'threaded stdlib'}")
    with temporary_folder() as folder:
        data_dir = prepare_data_dir(folder / "data")
        hello_rps = index_rps = fragment_rps = 0.0
        # Rounds alternate between the servers, and each figure is the best of its rounds, so that a
        # burst of other work on the machine does not decide the ratio.
        for _ in range(ROUNDS):
            with Gunicorn(HELLO_APP, data_dir) as hello:
                hello_rps = max(hello_rps, requests_per_second(hello.url + "/"))
            with Gunicorn(KIOSK_APP, data_dir) as kiosk:
                index_rps = max(index_rps, requests_per_second(kiosk.url + "/", headers=BROWSER))
                fragment_rps = max(
                    fragment_rps,
                    requests_per_second(kiosk.url + EVENT, headers=BROWSER | {"HX-Request": "true"}),
                )
    print(f"hello app     {hello_rps:8.0f} requests/s")
    print(f"/             {index_rps:8.0f} requests/s   ratio {index_rps / hello_rps:.2f}  (goal >= {GOAL})")
    print(
        f"event fragment{fragment_rps:8.0f} requests/s   "
        f"ratio {fragment_rps / hello_rps:.2f}  (goal >= {GOAL})"
    )


if __name__ == "__main__":
    main()
