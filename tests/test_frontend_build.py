"""Our scripts and stylesheets are built from frontend/ by esbuild (frontend/build.mjs, run by make
assets): what the pages load (and the service worker the kiosk registers) must be that build of today's
sources, minified, and the kiosk's modules must import one another without a cycle."""

from __future__ import annotations

import json
import re
from graphlib import TopologicalSorter
from pathlib import Path

import pytest

from . import frontend
from .frontend import ROOT

METAFILE = "imports.json"


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory) -> Path:
    """The sources built again, now, into a folder of the test's own (esbuild's account of the modules
    and their imports beside it)."""
    folder = tmp_path_factory.mktemp("build")
    return frontend.build(folder / "out", metafile=folder / METAFILE)


def body(client, address: str) -> bytes:
    with client.get(address) as response:  # WhiteNoise answers with an open file
        return response.get_data()


def loaded(client, url: str) -> dict[str, bytes]:
    """The kiosk's own scripts and stylesheets a page names, by their built name, as served."""
    page = client.get(url).get_data(as_text=True)
    served = {}
    for address in re.findall(r'(?:src|href)="(/static/dist/build/[^"]+)"', page):
        name = re.sub(r"^/static/dist/build/|\.[0-9a-f]{12}(?=\.\w+$)", "", address)
        served[name] = body(client, address)
    return served


def source_bytes(name: str) -> int:
    """An entry point and the modules beside it in the folder of its name (js/kiosk.js: js/kiosk/)."""
    entry = ROOT / "frontend" / name
    return sum(path.stat().st_size for path in [entry, *entry.with_suffix("").glob("*.js")])


def test_the_timeline_loads_the_build_of_todays_sources(client, fresh_build):
    served = loaded(client, "/")
    assert set(served) == {"js/kiosk.js", "css/kiosk.css"}
    for name, built in served.items():
        assert built == (fresh_build / name).read_bytes(), f"{name} is not the build of frontend/{name}"
        assert len(built) < 0.8 * source_bytes(name) and b"/*" not in built, f"{name} is not minified"


def test_every_module_of_the_kiosk_script_is_started_by_its_entry_point():
    entry = (ROOT / "frontend" / "js" / "kiosk.js").read_text()
    modules = sorted(path.stem for path in (ROOT / "frontend" / "js" / "kiosk").glob("*.js"))
    assert len(modules) >= 5
    for module in modules:
        assert f'import {{ start as {module} }} from "./kiosk/{module}.js";' in entry


def test_the_places_view_loads_its_own_built_script_and_stylesheet(client, fresh_build):
    served = loaded(client, "/places")
    assert {"js/places.js", "css/places.css"} <= set(served)
    for name in ("js/places.js", "css/places.css"):
        assert served[name] == (fresh_build / name).read_bytes()


def test_the_analytics_script_the_kiosk_loads_later_is_built_too(client, fresh_build):
    page = client.get("/").get_data(as_text=True)
    address = re.search(r'data-analytics="(/static/dist/build/js/analytics\.[0-9a-f]{12}\.js)"', page)
    assert address, "the timeline names no built analytics script"
    assert body(client, address.group(1)) == (fresh_build / "js" / "analytics.js").read_bytes()


def test_the_service_worker_is_the_build_of_todays_sources(client, fresh_build):
    page = client.get("/").get_data(as_text=True)
    address = re.search(r'data-service-worker="(/sw\.js\?v=[^"]+)"', page)
    assert address, "the timeline names no service worker"
    served = body(client, address.group(1))
    assert served == (fresh_build / "js" / "sw.js").read_bytes()
    assert b"/*" not in served, "the service worker is not minified"


def test_the_admin_pages_load_the_build_of_their_script(app, fresh_build):
    page = app.test_client().get("/admin/login").get_data(as_text=True)
    address = re.search(r'<script src="(/static/dist/build/js/admin\.[0-9a-f]{12}\.js)"', page)
    assert address, "the admin pages name no built script"
    assert body(app.test_client(), address.group(1)) == (fresh_build / "js" / "admin.js").read_bytes()


def imports(fresh_build: Path) -> dict[str, set[str]]:
    """Each of our modules (and the data it imports) with the ones it imports, as esbuild bundled them."""
    inputs = json.loads((fresh_build.parent / METAFILE).read_text())["inputs"]
    return {name: {each["path"] for each in module["imports"]} for name, module in inputs.items()}


def test_no_module_imports_itself_through_others(fresh_build):
    """A cycle of imports would make a module's exports depend on which module started first; modules
    call down and tell up through the bus (frontend/js/kiosk.js)."""
    graph = imports(fresh_build)
    kiosk_modules = {name for name in graph if name.startswith("frontend/js/kiosk/")}
    assert len(kiosk_modules) >= 5 and graph["frontend/js/kiosk.js"] >= kiosk_modules  # all bundled
    TopologicalSorter(graph).prepare()  # raises CycleError, naming the modules in the cycle


def test_the_scripts_share_the_servers_addresses_from_one_module(fresh_build):
    graph = imports(fresh_build)
    shared = "frontend/js/addresses.js"
    assert graph[shared] == {"frontend/generated/addresses.json"}
    assert shared in graph["frontend/js/sw.js"] and shared in graph["frontend/js/kiosk/navigation.js"]
