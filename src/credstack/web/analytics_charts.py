"""Bar charts as inline SVG, drawn on the server: no script, nothing fetched, readable offline.

Each chart is an image with a title and a description (for screen readers), and every figure
it shows is also printed beside its bar; the page puts the same figures in a table under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart"]

_WIDTH = 640
_LABEL = 220
_ROW = 26
_BAR = 18
_PAD = 8


def _figure(value: float, unit: str) -> str:
    text = f"{value:g}" if unit != "%" else f"{value:.1f}"
    return f"{text}{unit}"


def bar_chart(
    ident: str,
    title: str,
    bars: Sequence[tuple[str, float]],
    *,
    unit: str = "",
    scale_max: float | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value), scaled to `scale_max` (default the largest)."""
    top = scale_max if scale_max is not None else max((v for _, v in bars), default=0.0)
    room = _WIDTH - _LABEL - 70
    height = _PAD * 2 + _ROW * max(len(bars), 1)
    summary = "; ".join(f"{label}: {_figure(value, unit)}" for label, value in bars) or "no data"
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(summary)}</desc>',
    ]
    if not bars:
        parts.append(f'<text x="{_PAD}" y="{_PAD + 16}" class="chart-empty">No data</text>')
    for i, (label, value) in enumerate(bars):
        y = _PAD + i * _ROW
        length = 0.0 if top <= 0 else room * value / top
        parts.append(
            f'<text x="{_LABEL - 6}" y="{y + 14}" text-anchor="end" '
            f'class="chart-label">{escape(label)}</text>'
            f'<rect x="{_LABEL}" y="{y}" width="{length:.1f}" height="{_BAR}" '
            f'class="chart-bar"></rect>'
            f'<text x="{_LABEL + length + 6:.1f}" y="{y + 14}" '
            f'class="chart-value">{escape(_figure(value, unit))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
