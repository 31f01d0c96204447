"""make bench, at a tiny scale: it builds its data set, measures every page
as each role, and writes what it found, so the command the README shows keeps
working. (The numbers themselves are the benchmark's business, not a test's.)"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bench import dataset, measure
from coordination.models import Coalition
from meetings.models import Meeting, Minutes
from members.models import Agency, Membership
from tasks.models import ActionItem

SCALE = 0.001

pytestmark = pytest.mark.django_db


def test_the_data_set_has_the_sizes_its_scale_promises():
    sizes = dataset.build(SCALE, say=lambda text: None)

    assert Coalition.objects.count() == sizes.coalitions
    assert Agency.objects.count() == sizes.agencies
    assert Meeting.objects.count() == sizes.meetings
    assert ActionItem.objects.count() == sizes.action_items
    busiest = Coalition.objects.get(slug=dataset.BUSIEST)
    assert busiest.action_items.count() == round(sizes.action_items * sizes.busiest_rest)
    assert Membership.objects.filter(coalition=busiest).count() >= round(sizes.agencies * sizes.busiest_agencies)
    # every held meeting has minutes; the common word is in all of them, the rare one in few
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert Minutes.objects.count() == held.count() > 0
    assert Minutes.objects.filter(body__icontains=dataset.COMMON_WORD).count() == held.count()
    # rows written with their own ids: the next one made through the ORM does not collide
    ActionItem.objects.create(coalition=busiest, title="After the load", owner_agency=Agency.objects.first())


def test_bench_measures_every_page_as_each_role_and_writes_the_tables(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Roundtable\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\nThe rest.\n")

    call_command("bench", scale=SCALE, repeat=2, output=str(tmp_path), readme=str(readme), stdout=StringIO())

    found = json.loads((tmp_path / "latest.json").read_text())
    measured = {(r["page"], r["role"]) for r in found["results"]}
    assert measured == {(page.label, role) for page in measure.PAGES for role in page.roles}
    for result in found["results"]:
        assert result["status"] == 200, result
        assert result["queries"] > 0 and result["html_kb"] > 0 and result["median_ms"] > 0, result
        assert result["main_query"].lstrip().upper().startswith(("SELECT", "WITH")), result
    table = (tmp_path / "latest.md").read_text()
    assert "| action list | organizer |" in table and "| public guide | anonymous |" in table
    text = readme.read_text()
    assert "old table" not in text and table in text and text.endswith("The rest.\n")
    # a second run finds the data set in place and builds nothing
    call_command("bench", scale=SCALE, repeat=1, only="public guide", output=str(tmp_path), stdout=StringIO())
    assert Coalition.objects.filter(slug=dataset.BUSIEST).count() == 1


def test_a_page_over_a_target_is_marked_missed():
    dataset.build(SCALE, say=lambda text: None)
    ctx = measure.context()
    page = next(p for p in measure.PAGES if p.label == "action list")
    within = measure.measure(page, "organizer", ctx, repeat=1, targets=dict.fromkeys(measure.TARGETS, 10**6))
    assert within.status == 200 and within.missed == []
    strict = dict.fromkeys(measure.TARGETS, 10**6) | {"queries": within.queries - 1, "html_kb": within.html_kb / 2}
    over = measure.measure(page, "organizer", ctx, repeat=1, targets=strict)
    assert over.missed == ["queries", "HTML"]


def test_bench_refuses_a_database_that_holds_other_data(tmp_path):
    call_command("seed_demo", verbosity=0)
    with pytest.raises(CommandError, match="not the benchmark's"):
        call_command("bench", scale=SCALE, output=str(tmp_path))
    assert Coalition.objects.filter(slug="shasta").exists()
