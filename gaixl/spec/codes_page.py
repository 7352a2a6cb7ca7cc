"""docs/findings.md from the code registry and the layout files:
`python -m gaixl.spec.codes_page > docs/findings.md` (tests/test_codes.py checks it is current)."""
from __future__ import annotations

import sys

from gaixl.codes import markdown
from gaixl.spec.load import available_layouts, templates_dir


def page() -> str:
    """The page for the built-in layouts (extra layouts from GAIXL_LAYOUTS are not documented here)."""
    return markdown(l for l in available_layouts() if l.source.startswith(templates_dir().name + "/"))


if __name__ == "__main__":
    sys.stdout.write(page())
