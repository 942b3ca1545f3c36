"""The one builder of Chroma ``where`` filters (stylist.query.chroma_where) and its users agreeing on it."""

from __future__ import annotations

from stylist.query import chroma_where as where


def test_where_joins_two_or_more_conditions_with_and() -> None:
    assert where() is None
    assert where(None, {}) is None
    assert where({"gender": "Men"}) == {"gender": "Men"}
    assert where(gender="Men") == {"gender": "Men"}
    both = {"$and": [{"gender": "Men"}, {"price": {"$lt": 5}}]}
    assert where({"gender": "Men", "price": {"$lt": 5}}) == both
    assert where(gender="Men", price={"$lt": 5}) == both
    assert where({"gender": "Men"}, None, {"price": {"$lt": 5}}) == both


def test_where_keeps_operator_clauses_whole() -> None:
    ready = {"$or": [{"a": 1}, {"b": 2}]}
    assert where(ready) is ready
    assert where(ready, colour="Red") == {"$and": [ready, {"colour": "Red"}]}


def test_catalog_filters_and_visual_search_build_the_same_clause() -> None:
    from stylist.query import Filters

    clause = Filters(gender=["Men"], price_max=999).where()
    assert clause == where({"gender": {"$in": ["Men"]}, "price": {"$lte": 999.0}})
    assert Filters().where() is None
