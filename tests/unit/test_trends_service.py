"""Classifier training logic, named trends, the trend collection and TrendService.

The text encoder is a scripted fake (a keyword embedding whose calls are recorded);
Chroma is real, on disk under the test's data folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stylist.catalog import Product
from stylist.settings import Settings
from stylist.trends.classifier import ClassifierMissing, TextClassifier, in_test_split, train_classifier
from stylist.trends.data import TrendDataError
from stylist.trends.named import catalog_trends
from stylist.trends.service import NO_TRENDS_NOTE, TrendService, update_trends

VOCAB = (
    "men women shirt tshirt kurta jeans navy blue black red white casual formal ethnic summer winter".split()
)


class KeywordEmbedder:
    """A fake encoder: one dimension per vocabulary word; records every call."""

    model_path = Path("keyword-fake")

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            words = text.lower().replace("-", " ").split()
            v = np.array([float(w in words) for w in VOCAB] + [0.1])
            out.append((v / np.linalg.norm(v)).tolist())
        return out


def product(i: int, *, gender: str, article: str, colour: str, usage: str, season: str, year: int) -> Product:
    word = {"Shirts": "shirt", "Tshirts": "tshirt", "Kurtas": "kurta", "Jeans": "jeans"}[article]
    category = "Apparel"
    return Product(
        id=str(i), title=f"{gender} {colour} {usage} {word} {season}", gender=gender, category=category,
        article_type=article, colour=colour, usage=usage, season=season, year=year, price=999.0,
        currency="INR", image="x.jpg",
    )  # fmt: skip


def catalog() -> list[Product]:
    """Men's Summer apparel 2012-2017: navy blue shirts rise every year, black t-shirts fade."""
    items, i = [], 0
    for year in range(2012, 2018):
        navy = 4 + 3 * (year - 2012)
        for n in range(30):
            if n < navy:
                spec = ("Shirts", "Navy Blue", "Formal")
            else:
                spec = ("Tshirts", "Black", "Casual")
            items.append(
                product(
                    i,
                    gender="Men",
                    article=spec[0],
                    colour=spec[1],
                    usage=spec[2],
                    season="Summer",
                    year=year,
                )
            )
            i += 1
        for n in range(20):
            items.append(
                product(
                    i,
                    gender="Women",
                    article="Kurtas",
                    colour="Red" if n % 2 else "White",
                    usage="Ethnic",
                    season="Winter",
                    year=year,
                )
            )
            i += 1
    return items


def test_split_is_seeded_and_by_id() -> None:
    flags = [in_test_split(str(i)) for i in range(2000)]
    assert flags == [in_test_split(str(i)) for i in range(2000)]
    assert 0.17 < np.mean(flags) < 0.23
    assert flags != [in_test_split(str(i), seed=1) for i in range(2000)]


def test_training_learns_heads_and_save_load_round_trips(tmp_path: Path) -> None:
    embedder = KeywordEmbedder()
    products = catalog()
    clf, report = train_classifier(products, embedder, min_examples=2)
    assert embedder.calls == [[p.title for p in products]]  # one batch: every title, in order
    assert report["heads"]["article_type"]["accuracy"] == 1.0
    assert report["heads"]["colour"]["accuracy"] == 1.0
    assert report["train"] + report["test"] == len(products)
    clf.save(tmp_path / "w")
    assert (tmp_path / "w" / "heads.npz").stat().st_size < 50_000
    loaded = TextClassifier.load(tmp_path / "w", embedder)
    out = loaded.predict(["men navy blue formal shirt", "women red ethnic kurta"])
    assert out[0]["article_type"][0]["label"] == "Shirts" and out[0]["colour"][0]["label"] == "Navy Blue"
    assert out[1]["gender"][0]["label"] == "Women" and out[1]["article_type"][0]["label"] == "Kurtas"
    assert all(0 <= e["p"] <= 1 for e in out[0]["colour"]) and len(out[0]["colour"]) == 3
    assert json.loads((tmp_path / "w" / "labels.json").read_text())["article_category"]["Kurtas"] == "Apparel"


def test_missing_weights_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ClassifierMissing, match="no classifier heads"):
        TextClassifier.load(tmp_path, KeywordEmbedder())


def test_catalog_trends_are_yearly_shares_per_group_and_season() -> None:
    items, notes = catalog_trends(catalog(), min_group_items=10, min_value_items=10)
    names = {i.name: i for i in items}
    navy = names["Men/Apparel/Summer/colour=Navy Blue"]
    np.testing.assert_allclose(navy.values, [4 / 30, 7 / 30, 10 / 30, 13 / 30, 16 / 30, 19 / 30])
    assert navy.series.freq == "YS" and navy.meta.trend == "Navy Blue colour in Men's Apparel, Summer"
    assert names["Women/Apparel/Winter/colour=Red"].meta.kind == "colour"
    with pytest.raises(TrendDataError):
        catalog_trends([p for p in catalog() if p.year == 2012])


def test_update_then_forecasts_and_classify(tmp_path: Path) -> None:
    settings = Settings()
    embedder = KeywordEmbedder()
    service = TrendService(settings, embedder=embedder)
    assert service.forecasts("navy shirts") == []  # no collection yet: empty, not an error

    clf, _ = train_classifier(catalog(), embedder, min_examples=2)
    service = TrendService(settings, embedder=embedder, classifier=clf)
    none_yet = service.classify("men navy blue formal shirt")
    assert none_yet["trend"]["status"] == "unknown" and none_yet["trend"]["note"] == NO_TRENDS_NOTE

    import stylist.trends.named as named

    products = catalog()
    # The real defaults need a bigger catalog; use thresholds that fit this one.
    items, _ = named.catalog_trends(products, min_group_items=10, min_value_items=10)
    from stylist.trends.store import write_trends
    from stylist.trends.update import forecast_record

    records = [forecast_record(i) for i in items]
    write_trends(records, settings, embedder)

    found = service.forecasts("navy blue shirt men", k=2)
    assert len(found) == 2
    top = found[0]
    assert set(top) == {
        "trend",
        "label",
        "summary",
        "status",
        "change",
        "interval",
        "metadata",
        "chart",
        "reading",
    }
    # Shopper words shown and embedded; the analytic summary (shares, years) stays in the metadata.
    assert "share of listings" not in top["summary"].lower() and "2017" not in top["summary"]
    assert "Share of listings" in top["metadata"]["detail"]
    assert top["trend"] == "Navy Blue colour in Men's Apparel, Summer" or "Navy Blue" in found[1]["trend"]
    navy = next(f for f in found if f["trend"].startswith("Navy Blue"))
    assert navy["status"] == "rising" and navy["change"] > 0.1
    assert navy["interval"][0] <= navy["change"] <= navy["interval"][1]
    # What a chart needs is stored (stylist.trends.charts draws it): the interval around the forecast,
    # a period label for every point.
    meta = navy["metadata"]
    fc, lo, hi = (
        np.array(meta[k].split(","), dtype=float) for k in ("forecast", "forecast_lo", "forecast_hi")
    )
    assert len(fc) == len(lo) == len(hi) > 0 and np.all(lo <= fc) and np.all(fc <= hi) and np.all(hi <= 1)
    periods = meta["periods"].split(",")
    assert len(periods) == len(meta["history"].split(",")) + len(fc) and periods == sorted(periods)
    only_women = service.forecasts("navy blue shirt men", k=5, where={"gender": "Women"})
    assert only_women and all(f["metadata"]["gender"] == "Women" for f in only_women)
    women_winter = service.forecasts("kurta", k=5, gender="Women", season=["Winter", "Fall"])
    assert women_winter and all(f["metadata"]["season"] == "Winter" for f in women_winter)
    assert service.forecasts("kurta", k=5, gender="Men", season="Winter") == []

    # A shopper's question: men have no winter trends, so the lookup falls back to summer.
    from stylist.trends.answer import answer_for, trend_request

    request = trend_request(
        "what's in fashion for men this winter?", filters={"gender": ["Men"], "season": ["Winter"]}
    )
    men = service.lookup("what's in fashion for men this winter?", request)
    assert men and {(f["metadata"]["gender"], f["metadata"]["season"]) for f in men} == {("Men", "Summer")}
    answer = answer_for(request, men)
    assert answer.startswith(
        "We don't have winter forecasts for men yet, so this is from our summer listings."
    )
    assert "navy blue clothes" in answer and "on the rise" in answer
    kurtas = trend_request(
        "are kurtas in for women?", filters={"gender": ["Women"], "article_type": ["Kurtas"]}
    )
    found = service.lookup("are kurtas in for women?", kurtas, k=2)
    assert found and found[0]["metadata"]["value"] == "Kurtas"

    result = service.classify("men navy blue formal shirt")
    assert result["attributes"]["article_type"][0]["label"] == "Shirts"
    trend = result["trend"]
    assert trend["status"] == "rising" and trend["change"] > 0.1 and 0 < trend["confidence"] <= 1
    assert {c["kind"] for c in trend["components"]} == {"article_type", "colour", "usage"}
    black = service.classify("men black casual tshirt")["trend"]
    assert black["status"] == "declining" and black["change"] < -0.1


def test_update_trends_requires_some_input() -> None:
    with pytest.raises(TrendDataError, match="nothing to forecast"):
        update_trends(Settings(), products=None, series_path=None, embedder=KeywordEmbedder())


def test_classify_cli_without_weights_exits_3_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from stylist.cli import app

    monkeypatch.setenv("STYLIST_CLASSIFIER_DIR", str(tmp_path / "none"))
    result = CliRunner().invoke(app, ["classify", "red dress", "--json"])
    assert result.exit_code == 3
    assert "no classifier heads" in result.output and "stylist trends train-classifier" in result.output
