"""Charts drawn on the server as SVG: no script, no inline style (the CSP forbids both).
Colours come from classes styled in static/css/responses.css."""

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 36


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    # Four grid lines: tops divisible by 4 keep every label a round number.
    for step in (4, 8, 12, 20, 40, 60, 80, 100, 200, 400, 800, 1000, 2000, 4000, 8000, 10000):
        if value <= step:
            return step
    return value


def _frame(title: str, top: float, unit: str, labels: list[str], inner: list[str]) -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        text = f"{value:g}{unit}"
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(text)}</text>'
        )
    step = plot_w / max(len(labels), 1)
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + step * (i + 0.5)
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.extend(inner)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    title: str, labels: list[str], series: list[tuple[str, list]], unit: str = ""
) -> Markup:
    """Grouped bars, one group a label; ``series`` is [(name, values)], None draws nothing."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / max(len(labels), 1)
    bar = group * 0.7 / max(len(series), 1)
    inner = []
    for s, (name, vs) in enumerate(series):
        for i, value in enumerate(vs):
            if value is None:
                continue
            h = plot_h * value / top
            x = LEFT + group * i + group * 0.15 + bar * s
            inner.append(
                f'<rect class="series-{s}" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(name)}, '
                f"{escape(labels[i])}: {value:g}{escape(unit)}</title></rect>"
            )
    return _frame(title, top, unit, labels, inner)


def line_chart(title: str, labels: list[str], values: list[float], unit: str = "") -> Markup:
    """One line with a dot a point."""
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    points = [
        (LEFT + step * (i + 0.5), TOP + plot_h - plot_h * v / top) for i, v in enumerate(values)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    inner = [f'<polyline class="line series-0" points="{path}"/>'] if points else []
    for (x, y), label, v in zip(points, labels, values, strict=True):
        inner.append(
            f'<circle class="dot series-0" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(label)}: {v:g}{escape(unit)}</title></circle>"
        )
    return _frame(title, top, unit, labels, inner)


def legend(names: list[str]) -> Markup:
    items = "".join(
        f'<li><span class="swatch series-{i}"></span>{escape(n)}</li>' for i, n in enumerate(names)
    )
    return Markup(f'<ul class="chart-legend">{items}</ul>')
