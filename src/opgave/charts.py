"""Charts of the forecast: per area a fan of cumulative completions against its targets.

Inputs: an ``outlook.Outlook``. Outputs: one PNG (matplotlib, no browser needed) and one
self-contained HTML file (Plotly with its JavaScript inlined: works offline) per area.
The band is P10-P90 of cumulative completions (realised before the forecast start plus
simulated), the line its median; each target of the area is a horizontal line at its value
in its last year.
"""

from __future__ import annotations

from pathlib import Path

from opgave.outlook import Outlook


def fan_charts(result: Outlook, folder: Path) -> list[Path]:
    """Write ``<area>.png`` and ``<area>.html`` per area with targets; return the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for area, fan in sorted(result.fans.items()):
        targets = [t for t in result.targets if t.area_id == area]
        if not targets:
            continue
        base = max(
            t.realised for t in targets if t.first_year == min(x.first_year for x in targets)
        )
        years = fan["year"]
        low = [base + v for v in fan["cum_p10"]]
        mid = [base + v for v in fan["cum_p50"]]
        high = [base + v for v in fan["cum_p90"]]
        name = targets[0].area_name
        title = f"{name}: cumulative completions from {result.start_year} (P10-P90)"
        figure, axes = plt.subplots(figsize=(8, 4.5), dpi=100)
        axes.fill_between(years, low, high, alpha=0.3, label="P10-P90")
        axes.plot(years, mid, label="P50")
        for t in targets:
            for value, style in ((t.value_min, "--"), (t.value_max, ":")):
                if value is not None:
                    axes.axhline(value, linestyle=style, color="black", linewidth=0.8)
                    axes.annotate(f"{t.target_id} {value:,.0f}", (t.last_year, value), fontsize=7)
        axes.set_title(title, fontsize=10)
        axes.set_xlabel("year")
        axes.set_ylabel("homes")
        axes.legend(loc="upper left", fontsize=8)
        png = folder / f"{area}.png"
        figure.savefig(png, bbox_inches="tight")
        plt.close(figure)
        chart = go.Figure()
        chart.add_trace(go.Scatter(x=years, y=high, line={"width": 0}, showlegend=False))
        chart.add_trace(
            go.Scatter(x=years, y=low, fill="tonexty", line={"width": 0}, name="P10-P90")
        )
        chart.add_trace(go.Scatter(x=years, y=mid, name="P50"))
        for t in targets:
            if t.value_min is not None:
                chart.add_hline(y=t.value_min, line_dash="dash", annotation_text=t.target_id)
        chart.update_layout(title=title, xaxis_title="year", yaxis_title="homes")
        html = folder / f"{area}.html"
        chart.write_html(html, include_plotlyjs=True, full_html=True)
        written += [png, html]
    return written
