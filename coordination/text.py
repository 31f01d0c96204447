"""Text as people paste it: control characters (common in text copied from PDF
or Word) are invisible, break spreadsheets and are refused by PostgreSQL (NUL),
so they are removed wherever text comes in or goes out."""

import re

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(value: str) -> str:
    return CONTROL.sub("", value)
