"""Every main page runs the same number of queries at three times the rows,
as each role, and no more than its ceiling: the benchmark's pages and data
set, small enough for a test."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import dataset, measure
from coordination.models import User

pytestmark = pytest.mark.django_db

CEILING = 12
# Pages over the ceiling, each with its reason.
ABOVE = {
    # Its history reads four kinds of records (the profile, people,
    # memberships, roles: a query each, to show what changed between two
    # versions of each), and a member of the agency, who may answer its join
    # requests, has those read too; its roles' contact lines, and their
    # history, are two more; and whether the reader is its primary
    # representative, who may mark a person as having left, one more.
    "agency page": 16,
}


def _counts() -> dict[tuple[str, str], int]:
    ctx = measure.context()
    counts = {}
    for page in measure.PAGES:
        for role in page.roles:
            client = Client()
            if role != "anonymous":
                client.force_login(User.objects.get(email=dataset.LOGINS[role]))
            url = page.url(ctx)
            client.get(url)  # the first request of a session refreshes it
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            assert response.status_code == 200, (page.label, role)
            counts[page.label, role] = len(captured.captured_queries)
    return counts


def test_every_page_runs_a_fixed_number_of_queries_whatever_the_rows():
    dataset.build(0.002, say=lambda text: None)
    small = _counts()
    dataset.wipe()
    dataset.build(0.006, say=lambda text: None)
    large = _counts()

    assert large == small
    over = {key: count for key, count in large.items() if count > ABOVE.get(key[0], CEILING)}
    assert not over, sorted(over.items())
