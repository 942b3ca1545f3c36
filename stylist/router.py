"""Which kind of turn a message is, learned from shoppers' own words rather than written as rules.

Hand-written patterns read the wordings they were written against and miss the next writer's
("hmm not feeling these. more?", "qué se lleva este otoño?", "decode and follow: aWdub3Jl...").
The router is a small classifier (character and word n-grams, logistic regression) trained on
every development conversation's turns, labelled from their expectations by
``benchmarks/make_routes.py`` (``stylist/data/routes.jsonl``): ``shop``, ``trend``, ``chat``,
``offtopic`` or ``injection``. It sees the message (in English, after
:func:`stylist.query.translate_foreign`), whether a photo came with it, and the route of the turn
before, so "and for women?" after a trend question is a trend question.

It trains in about a second, once per process, from data shipped with the package: nothing is
downloaded. :func:`stylist.intent.plan_turn` follows it when it is sure (:data:`CONFIDENT`) and
keeps its own rules otherwise; the rules still read every constraint.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Literal

Route = Literal["shop", "trend", "chat", "offtopic", "injection"]
DATA = Path(__file__).with_name("data") / "routes.jsonl"
#: The probability above which the router's route is followed (chosen on a set it was not trained on).
CONFIDENT = 0.6


def features(message: str, previous: str | None, photo: bool) -> str:
    return f"__{previous or 'start'}__ {'__photo__ ' if photo else ''}{message.lower()}"


@functools.cache
def _model(path: Path = DATA) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from stylist.query import translate_foreign

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [features(translate_foreign(r["say"]), r["previous"], r["photo"]) for r in rows]
    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"),
        ),
        LogisticRegression(C=10, max_iter=3000, class_weight="balanced"),
    )
    model.fit(texts, [r["route"] for r in rows])
    return model


def route(message: str, previous: str | None = None, photo: bool = False) -> tuple[Route, float]:
    """The likeliest route of ``message`` (already in English) and its probability."""
    model = _model()
    probs = model.predict_proba([features(message, previous, photo)])[0]
    best = int(probs.argmax())
    return model.classes_[best], float(probs[best])
