"""The shop's own signals as trends: the demand log's weekly requests are forecast like any named
series, and a shopper's trend question is answered from them first (real Chroma, keyword embedder)."""

from __future__ import annotations

import time
from pathlib import Path

from stylist.admin.demand import DemandLog, demand_row, demand_trends
from stylist.agent.service import TurnRecord
from stylist.settings import Settings
from stylist.trends.answer import answer_for, trend_request
from stylist.trends.named import catalog_trends, series_meta
from stylist.trends.service import TrendService
from stylist.trends.store import write_trends
from stylist.trends.update import forecast_record
from tests.unit.test_trends_service import KeywordEmbedder, catalog

WEEK = 7 * 86400.0


def requests(log: DemandLog, weeks: int, per_week, **constraints) -> None:  # noqa: ANN001
    now = time.time()
    rows = []
    for week in range(weeks):
        created = now - (weeks - 1 - week) * WEEK - 3600
        for _ in range(per_week(week)):
            record = TurnRecord(constraints=constraints, matching_items=3, outcome="products", answer_kind="search",
                                latency_s=1.0, thread_id="-", product_ids=["1"], created=created)  # fmt: skip
            rows.append(demand_row(record, log.budget_edges))
    log.add(rows)


def test_series_names_say_what_they_count() -> None:
    meta = series_meta("Men/article_type=Blazers", "demand")
    assert (meta.gender, meta.kind, meta.value, meta.source, meta.unit) == ("Men", "article_type", "Blazers",
                                                                           "demand", "value")  # fmt: skip
    assert series_meta("Women/Apparel/colour=Navy Blue").category == "Apparel"
    assert series_meta("usage=Party").gender == ""
    free = series_meta("linen shirts sales")
    assert free.kind == "series" and free.value == "linen shirts sales"
    assert (
        series_meta("Men/Apparel/Summer/colour=Red").kind == "series"
    )  # seasons are not part of the grammar


def test_demand_series_are_forecast_and_answer_trend_questions_first(tmp_path: Path) -> None:
    log = DemandLog(str(tmp_path / "demand.sqlite"), retention_days=100_000)
    requests(log, 30, lambda w: 10 + 2 * w, gender=["Men"], article_type=["Kurtas"])  # rising steadily
    requests(log, 30, lambda w: 1 if w % 10 == 0 else 0, gender=["Men"], article_type=["Jeans"])  # too few
    found, notes = demand_trends(log)
    assert [f.name for f in found] == ["Men/article_type=Kurtas"]
    assert any("Men/article_type=Jeans" in n for n in notes)
    assert len(found[0].values) == 30 and found[0].values[-1] == 68

    settings = Settings()
    embedder = KeywordEmbedder()
    items, _ = catalog_trends(catalog(), min_group_items=10, min_value_items=10)
    write_trends([forecast_record(i) for i in [*items, *found]], settings, embedder)
    service = TrendService(settings, embedder=embedder)

    kurtas = trend_request(
        "are kurtas trending for men?", filters={"gender": ["Men"], "article_type": ["Kurtas"]}
    )
    own = service.lookup("are kurtas trending for men?", kurtas)
    assert [f["metadata"]["source"] for f in own] == ["demand"]
    assert own[0]["status"] == "rising"
    answer = answer_for(kurtas, own)
    assert "in what our shoppers ask for" in answer and "on the rise" in answer, answer
    assert "We don't have" not in answer and "in our catalog" not in answer

    # Without a series of its own for the item asked, the catalog's forecasts answer as before.
    shirts = trend_request("are navy shirts in for men this summer?",
                           filters={"gender": ["Men"], "colour": ["Navy Blue"], "season": ["Summer"]})  # fmt: skip
    listed = service.lookup("are navy shirts in for men this summer?", shirts)
    assert listed and {f["metadata"]["source"] for f in listed} == {"catalog"}
    assert "in our catalog" in answer_for(shirts, listed)
