"""The trend tools with the real bundled MiniLM, the shipped classifier heads and on-disk Chroma."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stylist.cli import app
from stylist.settings import Settings
from stylist.trends.classifier import in_test_split
from stylist.trends.service import TrendService

pytestmark = pytest.mark.integration


def test_classify_json_single_and_batch_load_the_model_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sentence_transformers

    loads: list[str] = []
    real = sentence_transformers.SentenceTransformer

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            loads.append(str(args[0]))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", Counting)
    runner = CliRunner()
    one = runner.invoke(app, ["classify", "Men Navy Blue Slim Fit Formal Shirt", "--json"])
    assert one.exit_code == 0, one.output
    result = json.loads(one.stdout)
    assert set(result["attributes"]) == {"article_type", "colour", "usage", "season", "gender"}
    assert result["attributes"]["article_type"][0]["label"] == "Shirts"
    assert result["attributes"]["colour"][0]["label"] == "Navy Blue"
    assert result["attributes"]["gender"][0]["label"] == "Men"
    assert result["trend"]["status"] == "unknown"  # this test's data folder has no trend collection

    batch = tmp_path / "texts.txt"
    batch.write_text(
        "red kurta for women\nblack leather belt\nwhite sports shoes for men\n", encoding="utf-8"
    )
    loads.clear()
    many = runner.invoke(app, ["classify", "--batch", str(batch), "--json"])
    assert many.exit_code == 0, many.output
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [r["attributes"]["article_type"][0]["label"] for r in lines] == ["Kurtas", "Belts", "Sports Shoes"]
    assert len(loads) == 1  # one model load for the whole file


def test_classify_needs_text_or_batch() -> None:
    result = CliRunner().invoke(app, ["classify", "--json"])
    assert result.exit_code == 2 and "give a TEXT or --batch FILE" in result.output


def test_shipped_heads_meet_the_targets_on_held_out_titles() -> None:
    styles = Settings().catalog_path / "styles.csv"
    if not styles.is_file():
        pytest.skip(f"sample catalog not found at {styles}")
    with styles.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("productDisplayName") or "").strip()]
    held_out = [r for r in rows if in_test_split(r["id"].strip())]
    assert 2000 < len(held_out) < 3200
    service = TrendService(Settings())
    predictions = service.classifier.predict([r["productDisplayName"].strip() for r in held_out], top=1)
    article = np.mean(
        [
            p["article_type"][0]["label"] == r["articleType"]
            for p, r in zip(predictions, held_out, strict=True)
        ]
    )
    colour = np.mean(
        [p["colour"][0]["label"] == r["baseColour"] for p, r in zip(predictions, held_out, strict=True)]
    )
    assert article >= 0.90, article
    assert colour >= 0.85, colour


def test_update_with_a_shop_series_and_signal_then_forecasts(tmp_path: Path) -> None:
    import pandas as pd

    weeks = pd.date_range("2021-01-04", periods=156, freq="7D").strftime("%Y-%m-%d")
    t = np.arange(156)
    sales = 10 * (1 + 0.5 * np.sin(2 * np.pi * t / 52))
    # Both products sold the same; influencers tripled their linen-shirt posts in the last year.
    shop = pd.DataFrame({"date": weeks, "linen shirts sales": sales, "denim jackets sales": sales})
    signal = pd.DataFrame(
        {
            "date": weeks,
            "linen shirts sales": np.where(t >= 104, 3.0, 1.0),
            "denim jackets sales": np.ones(156),
        }
    )
    shop.to_csv(tmp_path / "shop.csv", index=False)
    signal.to_csv(tmp_path / "signal.csv", index=False)
    args = ["trends", "update", "--no-catalog", "--series", str(tmp_path / "shop.csv")]
    result = CliRunner().invoke(app, [*args, "--signal", str(tmp_path / "signal.csv")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["trends"] == 2 and report["by_source"] == {"shop": 2}

    service = TrendService(Settings())
    found = service.forecasts("are linen shirts selling more?", k=1)
    assert found[0]["trend"] == "linen shirts sales"
    # The level moves by 3 ** 0.25 in the profile part (weight 0.8): about +25%.
    assert found[0]["status"] == "rising" and 0.15 < found[0]["change"] < 0.35
    assert found[0]["interval"][0] < found[0]["change"] < found[0]["interval"][1]
    meta = found[0]["metadata"]
    assert (
        len(meta["forecast_lo"].split(","))
        == len(meta["forecast"].split(","))
        == len(meta["forecast_hi"].split(","))
    )
    denim = service.forecasts("denim", k=1, where={"value": "denim jackets sales"})
    assert denim[0]["status"] == "steady" and abs(denim[0]["change"]) < 0.05


def test_update_with_bad_series_fails_clearly_and_keeps_the_old_collection(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("date,a\n" + "".join(f"2022-{m:02d}-01,{m}\n" for m in range(1, 13)), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["trends", "update", "--no-catalog", "--series", str(good)]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("date,a\n2022-01-01,1\n2022-02-01,-3\n2022-03-01,1\n2022-04-01,1\n", encoding="utf-8")
    result = runner.invoke(app, ["trends", "update", "--no-catalog", "--series", str(bad)])
    assert result.exit_code == 2 and "negative value" in result.output
    assert [f["trend"] for f in TrendService(Settings()).forecasts("a", k=5)] == ["a"]
