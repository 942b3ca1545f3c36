"""The staff console: a Gradio Blocks app mounted at ``/admin`` beside the chat (see ``create_app``).

Pages (Gradio's multipage routes, linked by its navbar): trends at ``/admin/`` (history, forecast
and 80% interval per trend; the likeliest rising and falling, filtered by gender, season, kind
and source), demand gaps (``/admin/gaps``), conversation analytics (``/admin/conversations``), the
demand outlook (``/admin/outlook``) and reports to download (``/admin/reports``). A page holds and
computes only its own components: opening the console costs the trends page alone. The token
guard lives in :mod:`stylist.api.admin`; this module only draws. Every figure is a Plotly figure
(:mod:`stylist.trends.charts`).
"""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr

    from stylist.admin.service import Admin

log = logging.getLogger(__name__)

GENDERS = ["All", "Women", "Men", "Girls", "Boys", "Unisex"]
SEASONS = ["All", "Spring", "Summer", "Fall", "Winter"]
KINDS = ["All", "article_type", "colour", "usage"]
SOURCES = ["All", "catalog", "shop", "demand"]


def _frame(rows: list[list[Any]], columns: list[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def _movers_frame(top: dict[str, list[dict[str, Any]]]) -> Any:
    """The likeliest rising trends, then the likeliest falling, with the probability of that direction
    (one table: each table is a good share of the page's drawing time)."""

    def rows(direction: str, shown: str) -> list[list[Any]]:
        return [[r["label"], shown, f"{r['change']:+.0%}", round(r["probabilities"][direction], 2)]
                for r in top[shown]]  # fmt: skip

    return _frame(rows("rising", "rising") + rows("declining", "falling"),
                  ["trend", "direction", "forecast change", "probability"])  # fmt: skip


def build_console(admin: Admin) -> gr.Blocks:
    """The console's Blocks over ``admin`` (the demand log, the stored trends, the catalog)."""
    import gradio as gr

    from stylist.admin.report import write_report
    from stylist.admin.trends import movers
    from stylist.trends.charts import bar_figure, forecast_figure, lines_figure

    @functools.lru_cache(maxsize=256)
    def trends_of(build: str | None, gender: str, season: str, kind: str, source: str,
                  picked: str | None) -> tuple[Any, ...]:  # fmt: skip
        """The trends tab for a build of the stored trends and the filters: the same for every page
        load until ``stylist trends update`` writes a new build, so it is computed once per build."""
        rows = admin.trends(gender=gender, season=season, kind=kind, source=source)
        top = movers(rows, 10)
        labels = [r["label"] for r in rows]
        first = top["rising"][:1] or top["falling"][:1] or rows[:1]
        choice = picked if picked in labels else (first[0]["label"] if first else None)
        chosen = next((r for r in rows if r["label"] == choice), None)
        figure = forecast_figure(chosen) if chosen else None
        note = "" if rows else "No trend forecasts match: run `stylist trends update` or widen the filters."
        return labels, choice, figure, _movers_frame(top), note

    def trends_view(
        gender: str, season: str, kind: str, source: str, picked: str | None = None
    ) -> tuple[Any, ...]:
        labels, choice, *rest = trends_of(admin.trends_build(), gender, season, kind, source, picked)
        return (gr.update(choices=labels, value=choice), *rest)

    def pick(label: str, gender: str, season: str, kind: str, source: str) -> Any:
        return trends_of(admin.trends_build(), gender, season, kind, source, label)[2]

    def demand_view(days: float) -> tuple[Any, ...]:
        days = float(days or 7)
        gaps = admin.gaps(days)
        demand = admin.demand.demand(days, limit=200)
        from stylist.admin.demand import label

        gap_frame = _frame([[g["label"], g["requests"], g["matching_items"]] for g in gaps],
                           ["request", "requests", "matching items"])  # fmt: skip
        demand_frame = _frame([[label(d["attributes"]), d["requests"], d["matching_items"]] for d in demand],
                              ["request", "requests", "matching items"])  # fmt: skip
        chart = bar_figure([g["label"] for g in gaps[:15]], [g["requests"] for g in gaps[:15]],
                           title="Requests for what the shop has at most 3 items of") if gaps else None  # fmt: skip
        return gap_frame, chart, demand_frame

    def analytics_view(days: float) -> tuple[Any, ...]:
        data = admin.analytics(float(days or 7))
        latency = data["latency_ms"]

        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.0%}"

        summary = (
            f"**{data['turns']}** turns · no-match rate **{pct(data['no_match_rate'])}** · answers with products "
            f"**{pct(data['answers_with_products'])}** · latency p50 **{latency['p50'] or 0:.0f} ms**, "
            f"p95 **{latency['p95'] or 0:.0f} ms**"
        )
        per_day = data["requests_per_day"]
        chart = lines_figure(
            [d["day"] for d in per_day],
            {"turns": [d["turns"] for d in per_day], "with products": [d["with_products"] for d in per_day],
             "no match": [d["no_match"] for d in per_day]},
            title="Requests per day",
        )  # fmt: skip
        thumbs = _frame([[t["answer_type"], t["up"], t["down"]] for t in data["thumbs"]],
                        ["answer type", "thumbs up", "thumbs down"])  # fmt: skip
        top = _frame([[t["label"], t["requests"], t["matching_items"]] for t in data["top_searches"]],
                     ["search", "requests", "matching items"])  # fmt: skip
        kinds = _frame([[k, v] for k, v in sorted(data["outcomes"].items())], ["outcome", "turns"])
        return summary, chart, thumbs, top, kinds

    def outlook_view(gender: str, season: str) -> Any:
        rows = admin.outlook(gender=gender, season=season)
        return _frame(
            [[o["flag"], o["label"], f"{o['change']:+.0%}", round(o["probability"], 2), o["items"], o["stock"],
              f"{o['demand_share']:.1%}", f"{o['stock_share']:.1%}"] for o in rows],
            ["flag", "trend", "forecast change", "probability", "items", "stock units", "demand share",
             "stock share"],
        )  # fmt: skip

    def report(weeks: float) -> list[str]:
        out = Path(tempfile.mkdtemp(prefix="stylist-report-"))
        result = write_report(admin, int(weeks or 4), out, shop=admin.settings.shop_name)
        return result["files"]

    # Each page computes its data when it is loaded (and again when its controls change). The trends
    # page is kept per build of the stored trends (see trends_of) and its first draw shows no progress
    # animation: there is nothing on the page to mark as pending yet.
    def navbar() -> None:  # every page carries its own
        gr.Navbar(main_page_name="Trends")

    with gr.Blocks(title="stylist staff console") as demo:
        navbar()
        with gr.Row():
            gender = gr.Dropdown(GENDERS, value="All", label="Gender", elem_id="admin-gender")
            season = gr.Dropdown(SEASONS, value="All", label="Season", elem_id="admin-season")
            kind = gr.Dropdown(KINDS, value="All", label="Kind", elem_id="admin-kind")
            source = gr.Dropdown(SOURCES, value="All", label="Source", elem_id="admin-source")
        trend_note = gr.Markdown("", elem_id="admin-trend-note")
        trend = gr.Dropdown([], label="Trend", elem_id="admin-trend", allow_custom_value=False)
        trend_plot = gr.Plot(label="History, forecast and 80% interval", elem_id="admin-trend-plot")
        movers_table = gr.Dataframe(label="Top rising and falling (likeliest first)", elem_id="admin-movers",
                                    interactive=False)  # fmt: skip
        filters = [gender, season, kind, source]
        trend_outputs = [trend, trend_plot, movers_table, trend_note]
        for control in filters:
            control.change(trends_view, filters, trend_outputs, api_name=False)
        trend.input(pick, [trend, *filters], trend_plot, api_name=False)
        demo.load(lambda: trends_view("All", "All", "All", "All"), None, trend_outputs, api_name="load",
                  queue=False, show_progress="hidden")  # fmt: skip

    with demo.route("Demand gaps", "gaps"):
        navbar()
        days = gr.Number(7, label="Days", minimum=1, maximum=3660, precision=0, elem_id="admin-days")
        gaps = gr.Dataframe(
            label="Demand gaps (at most 3 matching items)", elem_id="admin-gaps", interactive=False
        )
        gaps_plot = gr.Plot(label="Gaps", elem_id="admin-gaps-plot")
        demand = gr.Dataframe(label="Everything asked for", elem_id="admin-demand", interactive=False)
        days.change(demand_view, days, [gaps, gaps_plot, demand], api_name=False)
        demo.load(demand_view, days, [gaps, gaps_plot, demand], api_name=False, queue=False)

    with demo.route("Conversations", "conversations"):
        navbar()
        a_days = gr.Number(7, label="Days", minimum=1, maximum=3660, precision=0)
        summary = gr.Markdown("", elem_id="admin-summary")
        per_day = gr.Plot(label="Requests per day", elem_id="admin-per-day")
        with gr.Row():
            thumbs = gr.Dataframe(label="Thumbs by answer type", elem_id="admin-thumbs", interactive=False)
            outcomes = gr.Dataframe(label="Outcomes", elem_id="admin-outcomes", interactive=False)
        top = gr.Dataframe(label="Top searches", elem_id="admin-top", interactive=False)
        analytics = [summary, per_day, thumbs, top, outcomes]
        a_days.change(analytics_view, a_days, analytics, api_name=False)
        demo.load(analytics_view, a_days, analytics, api_name=False, queue=False)

    with demo.route("Demand outlook", "outlook"):
        navbar()
        gr.Markdown(
            "Forecast change beside the catalog's items and stock: **likely short** when a trend is "
            "likely rising and its share of the stock is below its forecast share of demand; "
            "**likely over-stocked** when it is likely falling and its stock share is above it."
        )
        with gr.Row():
            o_gender = gr.Dropdown(GENDERS, value="All", label="Gender")
            o_season = gr.Dropdown(SEASONS, value="All", label="Season")
        outlook = gr.Dataframe(label="Outlook", elem_id="admin-outlook", interactive=False)
        for control in (o_gender, o_season):
            control.change(outlook_view, [o_gender, o_season], outlook, api_name=False)
        demo.load(outlook_view, [o_gender, o_season], outlook, api_name=False, queue=False)

    with demo.route("Reports", "reports"):
        navbar()
        weeks = gr.Number(4, label="Weeks", minimum=1, maximum=520, precision=0)
        build = gr.Button("Build report", elem_id="admin-build-report")
        files = gr.File(label="report.html and CSVs", file_count="multiple", elem_id="admin-files")
        build.click(report, weeks, files, api_name=False)
    return demo
