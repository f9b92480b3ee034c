"""Charts for the console, drawn on the server as SVG (pure: numbers in, markup out; no
chart library, no CDN). One kind is enough for the hall's figures: a labelled bar chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH = 560, 22, 8, 150, 90


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal
    shown: str  # the value as the reader should see it, e.g. "46.2 %" or "12"


def bar_chart(title: str, bars: Sequence[Bar], *, empty_text: str) -> str:
    """A horizontal bar chart; each bar's length is proportional to its value (negative as 0)."""
    height = max(1, len(bars)) * (BAR_HEIGHT + GAP) + 34
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="48" class="chart-empty">{escape(empty_text)}</text>')
    top = max((bar.value for bar in bars), default=Decimal(0))
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    for index, bar in enumerate(bars):
        y = 30 + index * (BAR_HEIGHT + GAP)
        length = 0 if top <= 0 or bar.value <= 0 else max(1, int(room * bar.value / top))
        parts.append(
            f'<text x="0" y="{y + 16}" class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" class="chart-bar"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" class="chart-value">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
