"""Interactive trend charts with Plotly: history, forecast and its 80% interval.

The figures are plain ``plotly.graph_objects.Figure`` objects: the staff console shows them with
``gr.Plot``, the report embeds them in one HTML file with plotly.js inline (it opens offline).
Plotly is imported here only, on first use.

Plotly draws a few HTML tags in its texts (``<a href>`` becomes a live link, ``<b>``...); every
text that comes from data (trend labels, requests, period labels) is escaped first, so it shows
as written.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

HISTORY, FORECAST, BAND = "#3c3c3c", "#c8285a", "rgba(200,40,90,0.18)"
#: Plotly's own colours, for series drawn without a colour of their own.
COLORWAY = ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880"]


def _text(value: Any) -> str:
    """Data text for Plotly: shown as written, never read as its markup."""
    return html.escape(str(value), quote=False)


def _styled(fig: Any, **layout: Any) -> Any:
    """A light look set on the figure itself instead of a Plotly template: a template such as
    ``plotly_white`` carries ~6 kB of defaults for every trace type, which the browser merges on
    every draw (about a third of the time a small chart takes to draw in the staff console)."""
    fig.update_layout(template="none", paper_bgcolor="white", plot_bgcolor="white", colorway=COLORWAY,
                      font={"family": "system-ui, sans-serif", "color": "#2a3f5f"}, **layout)  # fmt: skip
    axes = {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zeroline": False, "ticks": ""}
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    return fig


def _axis(periods: Sequence[str], history: int, forecast: int) -> tuple[list[Any], list[Any]]:
    """x values of the history and of the forecast (the period labels when stored, else indices)."""
    if len(periods) == history + forecast and periods:
        labels = [_text(p) for p in periods]
        return labels[:history], labels[history:]
    return list(range(-history + 1, 1)), list(range(1, forecast + 1))


def forecast_figure(trend: Mapping[str, Any], *, height: int = 320) -> Any:
    """History (grey), forecast (red) and its 80% interval (band) of one trend row
    (:func:`stylist.admin.trends.trend_row`: ``history``, ``forecast``, ``forecast_lo``/``_hi``,
    ``periods``, ``label``, ``status``, ``unit``)."""
    import plotly.graph_objects as go

    history = [float(v) for v in trend.get("history") or []]
    forecast = [float(v) for v in trend.get("forecast") or []]
    lo, hi = list(trend.get("forecast_lo") or []), list(trend.get("forecast_hi") or [])
    x_hist, x_fc = _axis(list(trend.get("periods") or []), len(history), len(forecast))
    share = trend.get("unit", "share") == "share"
    fig = go.Figure()
    if len(lo) == len(forecast) == len(hi) and forecast:
        fig.add_trace(go.Scatter(x=x_fc, y=hi, mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip", name="80% high"))  # fmt: skip
        fig.add_trace(go.Scatter(x=x_fc, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=BAND, name="80% interval"))  # fmt: skip
    fig.add_trace(go.Scatter(x=x_hist, y=history, mode="lines+markers", name="history",
                             line={"color": HISTORY}))  # fmt: skip
    if forecast:
        # The forecast line starts at the last observation so the two read as one series.
        fig.add_trace(go.Scatter(x=x_hist[-1:] + x_fc, y=history[-1:] + forecast, mode="lines+markers",
                                 name="forecast", line={"color": FORECAST, "dash": "dash"}))  # fmt: skip
    status = trend.get("status", "")
    probability = trend.get("probability")
    title = _text(trend.get("label") or "")
    if status:
        title += f" ({status}" + (f", p={float(probability):.2f})" if probability is not None else ")")
    return _styled(
        fig, title={"text": title, "font": {"size": 14}}, height=height, margin={"l": 50, "r": 20, "t": 40, "b": 40},
        yaxis={"tickformat": ".0%" if share else "~s", "title": "share of listings" if share else "value"},
        legend={"orientation": "h", "y": -0.2},
    )  # fmt: skip


def bar_figure(labels: Sequence[str], values: Sequence[float], *, title: str, height: int = 320,
               color: str = FORECAST, horizontal: bool = True) -> Any:  # fmt: skip
    """A bar chart (horizontal by default: long labels stay readable)."""
    import plotly.graph_objects as go

    labels = [_text(label) for label in labels]

    bars = (
        go.Bar(x=list(values), y=list(labels), orientation="h", marker_color=color)
        if horizontal
        else go.Bar(x=list(labels), y=list(values), marker_color=color)
    )
    return _styled(
        go.Figure(bars), title={"text": _text(title), "font": {"size": 14}}, height=height,
        margin={"l": 10, "r": 20, "t": 40, "b": 30},
        yaxis={"autorange": "reversed", "automargin": True} if horizontal else {},
    )  # fmt: skip


def lines_figure(
    x: Sequence[Any], series: Mapping[str, Sequence[float]], *, title: str, height: int = 300
) -> Any:
    """Several lines over one x axis (e.g. requests per day and no-match answers per day)."""
    import plotly.graph_objects as go

    fig = go.Figure(
        [go.Scatter(x=list(x), y=list(v), mode="lines+markers", name=_text(n)) for n, v in series.items()]
    )
    return _styled(
        fig, title={"text": _text(title), "font": {"size": 14}}, height=height,
        margin={"l": 40, "r": 20, "t": 40, "b": 30}, legend={"orientation": "h", "y": -0.25},
    )  # fmt: skip
