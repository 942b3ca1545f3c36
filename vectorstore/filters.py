"""Chroma ``where`` filters, built in one place.

Chroma takes exactly one key per level of a metadata filter: two or more
conditions must be joined with ``$and``, a single one must not be. Every caller
(catalog search, visual search, trend lookups) builds its filter with :func:`where`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def where(*clauses: Mapping[str, Any] | None, **fields: Any) -> dict[str, Any] | None:
    """One Chroma metadata filter that requires every clause and field condition.

    ``where({"gender": "Men", "price": {"$lt": 999}})`` and
    ``where(gender="Men", price={"$lt": 999})`` both give
    ``{"$and": [{"gender": "Men"}, {"price": {"$lt": 999}}]}``.

    Args:
        clauses: filters; a clause with several plain fields is split into one
            condition per field, a clause with an operator key (``$and``, ``$or``)
            is kept whole. ``None`` and empty clauses are skipped.
        fields: field conditions, ``field=value`` (equality) or ``field={"$op": value}``.

    Returns:
        The filter, the single condition itself when there is only one, or None
        when there is nothing to require.
    """
    parts: list[dict[str, Any]] = []
    for clause in (*clauses, fields):
        if not clause:
            continue
        if len(clause) == 1 or any(key.startswith("$") for key in clause):
            parts.append(dict(clause) if not isinstance(clause, dict) else clause)
        else:
            parts.extend({key: value} for key, value in clause.items())
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}
