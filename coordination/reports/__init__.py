"""The coalition's reports: what it did over a period (the annual report) and
its engagement since the first meeting. See common.py for the rule on small
counts of people."""

from .annual import annual_report
from .common import FEWER, SMALL, Report, Section, Table, activity_totals, default_period, first_year, people
from .engagement import engagement

__all__ = [
    "FEWER",
    "SMALL",
    "Report",
    "Section",
    "Table",
    "activity_totals",
    "annual_report",
    "default_period",
    "engagement",
    "first_year",
    "people",
]
