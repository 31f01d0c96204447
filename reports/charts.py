"""Charts for the reports, drawn on the server as SVG by pygal.

A chart is an image (a data: address, allowed by the page's CSP) beside a
table with the same numbers, so it reads without JavaScript, prints, and a
screen reader gets the table. pygal's tooltip scripts are left out."""

import base64
import re
from dataclasses import dataclass

import pygal
from pygal.style import Style

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    legend_font_size=14,
    colors=("#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#198754"),
    opacity=".9",
    opacity_hover=".9",
    transition="0s",
)
COMMON = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "width": 900,
    "print_values": True,
    "print_zeroes": False,
    "show_y_guides": True,
    "truncate_label": -1,
    "truncate_legend": -1,
    "legend_at_bottom": True,
    "margin": 16,
}


@dataclass(frozen=True)
class Chart:
    """What a template needs: the image and the words that stand in for it."""

    src: str
    alt: str


def whole_ticks(series: dict[str, list]) -> list[int] | None:
    """Ticks for a chart of counts: whole numbers, a round step, about five
    of them (pygal would draw 0.2, 0.4… for small counts); None for a chart
    with a fraction in it (a rate)."""
    values = [v for values in series.values() for v in values if v is not None]
    if not values or any(not isinstance(v, int) for v in values):
        return None
    top = max(max(values), 1)
    step, magnitude = 1, 1
    while top / step > 6:
        step = next((f * magnitude for f in (2, 5, 10) if top / (f * magnitude) <= 6), 10 * magnitude)
        magnitude *= 10
    return list(range(0, top + step, step))


def _chart(kind, *, title: str, labels: list[str], series: dict[str, list], alt: str, **options) -> Chart | None:
    if not labels or not any(v for values in series.values() for v in values if v):
        return None
    config = {**COMMON, **options}
    if (ticks := whole_ticks(series)) is not None:
        config.setdefault("y_labels", ticks)
    config.setdefault("show_legend", len(series) > 1)
    chart = kind(**config)
    chart.title = str(title)
    chart.x_labels = [str(label) for label in labels]  # a choice's label may be a lazy translation
    for name, values in series.items():
        chart.add(str(name), values)
    return Chart(
        src="data:image/svg+xml;base64," + base64.b64encode(_lean(chart.render(is_unicode=True))).decode(), alt=alt
    )


def _lean(svg: str) -> bytes:
    """pygal's SVG without what an image never uses, a third of its size: the
    tooltip settings it writes in a script even without the tooltip script,
    the tooltips' texts (<desc>) and its comments; the chart's unique id (its
    style repeats it a hundred times: an image is a document of its own) and
    coordinates to 15 decimals (a tenth of a pixel is enough; labels are left alone)."""
    svg = re.sub(r"<script\b.*?</script>|<desc\b[^>]*>.*?</desc>|<!--.*?-->", "", svg, flags=re.DOTALL)
    if found := re.search(r'id="chart-([0-9a-f-]{36})"', svg):
        svg = svg.replace(found.group(1), "c")
    shorter = re.compile(r"(\d\.\d)\d+")
    return re.sub(r'="[^"]*"', lambda attribute: shorter.sub(r"\1", attribute.group(0)), svg).encode()


def bars(*, title: str, labels: list[str], series: dict[str, list], alt: str) -> Chart | None:
    """Horizontal bars: one row a label (an agency, a sector, a kind)."""
    height = max(220, 90 + 34 * len(labels) * max(1, len(series)))
    # pygal draws the first label at the bottom; the reader expects it on top.
    return _chart(
        pygal.HorizontalBar,
        title=title,
        labels=labels[::-1],
        series={name: values[::-1] for name, values in series.items()},
        alt=alt,
        height=height,
    )


def columns(*, title: str, labels: list[str], series: dict[str, list], alt: str) -> Chart | None:
    """Vertical columns over time (months or years)."""
    return _chart(
        pygal.Bar,
        title=title,
        labels=labels,
        series=series,
        alt=alt,
        height=420,
        x_label_rotation=-45 * (len(labels) > 14),
    )


def lines(*, title: str, labels: list[str], series: dict[str, list], alt: str) -> Chart | None:
    return _chart(
        pygal.Line, title=title, labels=labels, series=series, alt=alt, height=420, dots_size=4, print_values=False
    )
