"""Charts of counts read in whole numbers: no axis of 0.2, 0.4… people."""

import base64
import re

import pytest

from reports import charts


def axis_labels(chart) -> set[str]:
    svg = base64.b64decode(chart.src.split(",", 1)[1]).decode()
    # The axis' labels (the value printed on each bar or point is a "value" text, left out here).
    axis = re.findall(r'<g class="guides">.*?</g>', svg, flags=re.S)
    return {label for part in axis for label in re.findall(r">([0-9.]+)</text>", part)}


@pytest.mark.parametrize("draw", [charts.bars, charts.columns, charts.lines])
@pytest.mark.parametrize("counts", [[1], [1, 2], [0, 3], [2, 7], [12, 47], [3, 999], [140, 5230]])
def test_a_chart_of_counts_has_whole_number_ticks_up_to_its_largest(draw, counts):
    chart = draw(title="Meetings", labels=[f"L{i}" for i in range(len(counts))], series={"n": counts}, alt="x")
    labels = axis_labels(chart)
    assert labels and all(re.fullmatch(r"\d+", label) for label in labels), labels
    ticks = sorted(int(label) for label in labels)
    assert ticks[-1] >= max(counts) and len(ticks) <= 8


def test_ticks_are_round_steps_and_a_rate_keeps_its_own():
    assert charts.whole_ticks({"n": [1, 2]}) == [0, 1, 2]
    assert charts.whole_ticks({"n": [12, 47]}) == [0, 10, 20, 30, 40, 50]
    assert charts.whole_ticks({"a": [None, 7], "b": [3]}) == [0, 2, 4, 6, 8]
    assert charts.whole_ticks({"rate": [12.5, 50.0]}) is None
