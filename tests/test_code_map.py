"""The README's code map names every module, so a newcomer finds any feature from it."""

import re

from kiosk.config import PROJECT_ROOT


def code_map() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    return readme.split("### Code map", 1)[1].split("\n## ", 1)[0]


def unlisted(text: str) -> list[str]:
    """Modules of kiosk/ the map does not name: by full path, or by file name under its package's heading
    (``**`kiosk/web/`**`` … ``stack.py``), or as ``package/module.py`` (``admin/events.py``)."""
    named = set(re.findall(r"`([\w/]+\.py)`", text))
    packages = set(re.findall(r"\*\*`kiosk/(\w+)/`\*\*", text))
    missing = []
    for path in sorted((PROJECT_ROOT / "kiosk").rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).parts
        if parts[-1] == "__init__.py" and len(parts) > 2:
            continue  # a package is named by its heading
        listed = "/".join(parts) in named or "/".join(parts[1:]) in named
        if len(parts) == 3 and parts[1] in packages and parts[2] in named:
            listed = True
        if not listed:
            missing.append("/".join(parts))
    return missing


def test_the_code_map_names_every_module():
    assert unlisted(code_map()) == []


def test_a_module_left_out_of_the_map_is_found():
    assert unlisted(code_map().replace("`stack.py`", "the stack")) == ["kiosk/web/stack.py"]
