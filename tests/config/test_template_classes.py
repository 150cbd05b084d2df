"""A table's scrolling wrapper is a class the stylesheet defines: on a phone a wide table
scrolls inside it instead of widening the page (the coach's start page was 420 px wide at
375 px, its wrapper's class "table-scroll" being styled nowhere)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STYLESHEET = ROOT / "static" / "css" / "przystan.css"


def test_every_table_wrapper_class_in_the_templates_is_styled():
    styled = set(re.findall(r"\.(table-[a-z-]+)", STYLESHEET.read_text(encoding="utf-8")))
    used = {}
    for template in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        for name in re.findall(r'class="(table-[a-z-]+)', template.read_text(encoding="utf-8")):
            used.setdefault(name, template.relative_to(ROOT))
    assert used, "no table wrapper found: the test looks in the wrong place"
    missing = {name: str(where) for name, where in used.items() if name not in styled}
    assert not missing, missing
