"""The environment variables Roundtable's settings read, found in the source
so that a new one cannot be added without the tests seeing it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "coordination" / "settings.py"


def read_by_settings() -> set[str]:
    source = SETTINGS.read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    assert names, "the pattern found no variables in the settings"
    return names
