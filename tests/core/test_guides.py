"""The user guides show pictures that the browser journeys take: every picture a guide links to
is in docs/images (a journey that renames its picture must rename the file and the link)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_picture_a_guide_shows_exists():
    guides = sorted((ROOT / "docs").rglob("*.md"))
    assert guides
    missing = []
    for guide in guides:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", guide.read_text(encoding="utf-8")):
            if not (guide.parent / target).resolve().is_file():
                missing.append(f"{guide.relative_to(ROOT)}: {target}")
    assert not missing, missing
