"""Small counts of people that stay hidden when totals are shown.

A count of 1 to 4 people is withheld (none is shown as 0: it points at
nobody). Alone that is not enough: with a total and the other cells shown, a
reader subtracts and finds the hidden one. So other cells are withheld too
("complementary suppression"), and every withheld cell reads the same, so
nobody can tell the small ones from the others.

The reader is modelled exactly: they know every shown count, that each
withheld one is at least 1 (a 0 is shown), and every equation the report
implies (a total is the sum of its cells; a sector's count is the sum of its
agencies'). From these they tighten each withheld cell's bounds, equation by
equation, until nothing changes; `reader_bounds` does the same. `protect`
withholds the smallest shown cell of an equation that lets a small cell be
pinned to fewer than four possible values, and repeats until none can be."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

SMALL = 5
WITHHELD = "withheld"
NOTE = (
    "“Withheld” stands for a count of 1 to 4 people, or for a count that would let one be worked out from the totals."
)

Key = Hashable
INF = float("inf")


@dataclass(frozen=True)
class Adds:
    """One equation the report implies: `total` is the sum of `cells`."""

    total: Key
    cells: tuple[Key, ...]


def reader_bounds(counts: dict[Key, int], hidden: set[Key], sums: Iterable[Adds]) -> dict[Key, tuple[int, float]]:
    """What a reader can tell of each count from what is shown: (low, high)."""
    sums = list(sums)
    bounds: dict[Key, tuple[int, float]] = {}
    for key, value in counts.items():
        bounds[key] = (value, value) if key not in hidden else (1, INF)
    changed = True
    while changed:
        changed = False
        for equation in sums:
            total_low, total_high = bounds[equation.total]
            lows = [bounds[c][0] for c in equation.cells]
            highs = [bounds[c][1] for c in equation.cells]
            low_sum = sum(lows)
            unbounded = sum(1 for high in highs if high == INF)
            finite_high_sum = sum(high for high in highs if high != INF)
            # the total lies between the sums of its cells' bounds
            high_sum = INF if unbounded else finite_high_sum
            tightened = {equation.total: (max(total_low, low_sum), min(total_high, high_sum))}
            # each cell is the total less the others
            for i, cell in enumerate(equation.cells):
                others_low = low_sum - lows[i]
                if highs[i] == INF:
                    others_high = INF if unbounded > 1 else finite_high_sum
                else:
                    others_high = INF if unbounded else finite_high_sum - highs[i]
                low, high = bounds[cell]
                tightened[cell] = (max(low, total_low - others_high), min(high, total_high - others_low))
            for key, (low, high) in tightened.items():
                if low > high:
                    raise ValueError(f"{key}: the counts do not add up as the equations say")
                if (low, high) != bounds[key]:
                    bounds[key] = (low, high)
                    changed = True
    return bounds


def is_small(count: int) -> bool:
    return 0 < count < SMALL


def narrowed(counts: dict[Key, int], hidden: set[Key], sums: list[Adds]) -> set[Key]:
    """The small cells a reader can pin to fewer than four possible values."""
    bounds = reader_bounds(counts, hidden, sums)
    return {key for key in hidden if is_small(counts[key]) and bounds[key][1] - bounds[key][0] < SMALL - 2}


def protect(counts: dict[Key, int], sums: Iterable[Adds]) -> set[Key]:
    """The counts to hide: every small one, and enough others that none of
    the small ones can be narrowed."""
    sums = list(sums)
    hidden = {key for key, value in counts.items() if is_small(value)}
    while exposed := narrowed(counts, hidden, sums):
        # A 0 is always shown: withholding one would say it is at least 1.
        candidates = set()
        for equation in sums:
            if exposed & {equation.total, *equation.cells}:
                candidates |= {c for c in equation.cells if c not in hidden and counts[c] >= SMALL}
        if not candidates:  # every cell is hidden already: hide the totals over them
            candidates = {
                e.total for e in sums if exposed & set(e.cells) and e.total not in hidden and counts[e.total] >= SMALL
            }
        if not candidates:
            break  # nothing left to hide; cannot happen while a shown count remains
        hidden.add(min(candidates, key=lambda key: (counts[key], str(key))))
    return hidden


def shown(value: int, key: Key, hidden: set[Key]) -> int | str:
    """A count of people as the report shows it."""
    return WITHHELD if key in hidden else value


def drawn(value: int | None, key: Key, hidden: set[Key]) -> int | None:
    """A count of people as a chart draws it: hidden counts leave no bar."""
    return None if value is None or key in hidden else value
