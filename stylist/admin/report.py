"""``stylist report``: one HTML page (charts embedded, plotly.js inline: it opens offline) and CSVs.

``report.html`` holds the conversation figures, the demand gaps, the top rising and falling trends
with their probabilities and charts, and the demand outlook; ``demand.csv``, ``trends.csv`` and
``analytics.csv`` hold the same tables for a spreadsheet. The console's Reports tab writes the same.
"""

from __future__ import annotations

import csv
import html
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stylist.admin.demand import ATTRIBUTES, label

if TYPE_CHECKING:
    from stylist.admin.service import Admin

FILES = ("report.html", "demand.csv", "trends.csv", "analytics.csv")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)


def _table(header: list[str], rows: list[list[Any]], table_id: str) -> str:
    if not rows:
        return f'<p class="empty" id="{table_id}">Nothing yet.</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _signed(value: float) -> str:
    return f"{value:+.0%}"


def report_tables(admin: Admin, weeks: int) -> dict[str, Any]:
    """Everything the report shows, as plain data."""
    days = 7 * weeks
    demand = admin.demand.demand(days)
    trends = admin.trends()
    return {
        "days": days,
        "demand": demand,
        "gaps": admin.gaps(days),
        "analytics": admin.analytics(days),
        "trends": trends,
        "movers": admin.movers(10),
        "outlook": admin.outlook(),
    }


def write_report(admin: Admin, weeks: int, out: Path, *, shop: str = "") -> dict[str, Any]:
    """Write report.html and the CSVs into ``out``; returns the paths and a few counts."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    from stylist.trends.charts import bar_figure, forecast_figure, lines_figure

    out.mkdir(parents=True, exist_ok=True)
    data = report_tables(admin, weeks)
    analytics = data["analytics"]

    _write_csv(
        out / "demand.csv",
        ["request", *ATTRIBUTES, "requests", "matching_items"],
        [[label(d["attributes"]), *(d["attributes"][a] or "" for a in ATTRIBUTES), d["requests"],
          d["matching_items"]] for d in data["demand"]],
    )  # fmt: skip
    _write_csv(
        out / "trends.csv",
        ["label", "status", "change", "probability", "interval_lo", "interval_hi", "source", "gender", "category",
         "season", "kind", "value", "history", "forecast"],
        [[t["label"], t["status"], t["change"], t["probability"], *t["interval"], t["source"], t["gender"],
          t["category"], t["season"], t["kind"], t["value"], " ".join(f"{v:.4g}" for v in t["history"]),
          " ".join(f"{v:.4g}" for v in t["forecast"])] for t in data["trends"]],
    )  # fmt: skip
    _write_csv(
        out / "analytics.csv",
        ["day", "turns", "with_products", "no_match"],
        [[d["day"], d["turns"], d["with_products"], d["no_match"]] for d in analytics["requests_per_day"]],
    )

    def embed(fig: Any, div_id: str) -> str:
        return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id)

    per_day = analytics["requests_per_day"]
    charts = [
        embed(
            lines_figure(
                [d["day"] for d in per_day],
                {
                    "turns": [d["turns"] for d in per_day],
                    "with products": [d["with_products"] for d in per_day],
                    "no match": [d["no_match"] for d in per_day],
                },
                title="Requests per day",
            ),
            "chart-requests",
        ),  # fmt: skip
    ]
    gaps = data["gaps"][:15]
    if gaps:
        charts.append(embed(bar_figure([g["label"] for g in gaps], [g["requests"] for g in gaps],
                                       title="Demand gaps: requests for what the shop barely has"), "chart-gaps"))  # fmt: skip
    movers = data["movers"]
    trend_charts = [
        embed(forecast_figure(t, height=280), f"chart-trend-{i}")
        for i, t in enumerate(movers["rising"][:3] + movers["falling"][:3])
    ]
    latency = analytics["latency_ms"]
    kpis = [
        ("turns", analytics["turns"]),
        ("no-match rate", _pct(analytics["no_match_rate"])),
        ("answers with products", _pct(analytics["answers_with_products"])),
        ("latency p50 / p95", f"{latency['p50'] or 0:.0f} / {latency['p95'] or 0:.0f} ms"),
    ]
    sections = [
        f"<h1>{html.escape(shop or 'Shop')} report: the last {weeks} weeks</h1>",
        f"<p>Generated {time.strftime('%Y-%m-%d %H:%M')}; the demand log keeps each request's parsed "
        "attributes only (no message text, no shopper).</p>",
        "<h2>Conversations</h2>",
        _table(["measure", "value"], [list(k) for k in kpis], "kpis"),
        *charts[:1],
        _table(
            ["answer type", "thumbs up", "thumbs down"],
            [[t["answer_type"], t["up"], t["down"]] for t in analytics["thumbs"]],
            "thumbs",
        ),  # fmt: skip
        "<h2>Top searches</h2>",
        _table(
            ["request", "requests", "matching items"],
            [[t["label"], t["requests"], t["matching_items"]] for t in analytics["top_searches"]],
            "top-searches",
        ),  # fmt: skip
        "<h2>Demand gaps</h2>",
        _table(
            ["request", "requests", "matching items"],
            [[g["label"], g["requests"], g["matching_items"]] for g in data["gaps"][:30]],
            "gaps",
        ),  # fmt: skip
        *charts[1:],
        "<h2>Top rising and falling trends</h2>",
        _table(
            ["trend", "status", "change", "probability"],
            [
                [t["label"], t["status"], _signed(t["change"]), f"{t['probability']:.2f}"]
                for t in movers["rising"] + movers["falling"]
            ],
            "movers",
        ),  # fmt: skip
        *trend_charts,
        "<h2>Demand outlook</h2>",
        _table(
            ["trend", "status", "change", "probability", "items", "stock", "flag"],
            [
                [
                    o["label"],
                    o["status"],
                    _signed(o["change"]),
                    f"{o['probability']:.2f}",
                    o["items"],
                    o["stock"],
                    o["flag"],
                ]
                for o in data["outlook"]
                if o["flag"]
            ][:40],
            "outlook",
        ),  # fmt: skip
    ]
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>stylist report</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;"
        "text-align:left}th{background:#f3f3f3}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        + "\n".join(sections)
        + "</body></html>"
    )
    tmp = out / "report.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out / "report.html")
    return {
        "out": str(out),
        "files": [str(out / f) for f in FILES],
        "weeks": weeks,
        "requests": sum(d["requests"] for d in data["demand"]),
        "gaps": len(data["gaps"]),
        "trends": len(data["trends"]),
    }
