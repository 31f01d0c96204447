"""A number in an address, a form or a setting is read one way
(coordination.text.whole_number): ASCII digits only. str.isdigit() also
takes "²", which int() refuses (a server error on every paged list, found by
the fuzz test), and "١٢" or "１２", which int() reads as 12."""

import ast
from pathlib import Path

import pytest

from coordination.text import whole_number

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = [path.parent for path in ROOT.glob("*/apps.py")]


@pytest.mark.parametrize(
    ("text", "below", "number"),
    [
        ("12", 2**63, 12),
        (" 7 ", 2**63, 7),
        (3, 2**63, 3),
        ("0", 2**63, 0),
        ("²", 2**63, None),
        ("١٢", 2**63, None),
        ("１２", 2**63, None),
        ("-5", 2**63, None),
        ("1e3", 2**63, None),
        ("", 2**63, None),
        (None, 2**63, None),
        ("9" * 19, 2**63, None),  # past the database's integers
        ("9" * 4000, 2**63, None),  # read without building a 4,000-digit int
        ("999", 1000, 999),
        ("1000", 1000, None),
    ],
)
def test_a_whole_number_is_ascii_digits_below_a_bound(text, below, number):
    assert whole_number(text, below=below) == number


def test_no_app_reads_a_number_with_isdigit_but_through_whole_number():
    """The class of the "²" bug: any other str.isdigit() check in the apps'
    code is a place where a digit int() refuses can reach int()."""
    found = []
    for app in APPS:
        for path in app.rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "coordination" / "text.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in {"isdigit", "isnumeric", "isdecimal"}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert APPS and not found, found
