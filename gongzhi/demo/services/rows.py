"""Writing generated rows straight through the cursor, with ids chosen here.

The service loop's rows point at each other (an entry at its transaction, a reversal at the original,
a record at the attendance it credits), so the generator numbers them itself, from the table's current
largest id on, and inserts plain tuples in large batches; PostgreSQL's sequences are moved past them at
the end. The ORM's per-object compiling would dominate the seed, and `bulk_create` would stamp
`auto_now_add` columns with the seed's moment instead of the backdated one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

BATCH = 10_000


class Ids:
    """The next free id of each table written in this seed."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value

    def models(self) -> list[type[models.Model]]:
        return list(self._next)


def _prepare(column: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    sqlite = connection.vendor == "sqlite"
    if isinstance(column, models.DateTimeField):
        if sqlite:
            zone = connection.timezone
            return lambda v: str(v.astimezone(zone).replace(tzinfo=None))
        return connection.ops.adapt_datetimefield_value
    if isinstance(column, models.JSONField):
        if sqlite:
            return json.dumps

        def adapt(value: Any) -> Any:
            return column.get_db_prep_save(value, connection)

        return adapt
    return None


def insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT the rows (values in the order of `fields`, attnames, the id first when given)."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    prepare = [(i, p) for i, p in enumerate(_prepare(c) for c in columns) if p is not None]  # type: ignore[arg-type]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values as parameters
        quote(meta.db_table),
        ", ".join(quote(str(getattr(c, "column", ""))) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    done = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            if len(row) != len(columns):
                raise ValueError(f"{meta.db_table}: {len(row)} values for {len(columns)} columns")
            if prepare:
                values = list(row)
                for i, p in prepare:
                    if values[i] is not None:
                        values[i] = p(values[i])
                row = values
            batch.append(tuple(row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                done += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            done += len(batch)
    return done


def reset_sequences(written: Iterable[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the ids written here (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(written))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def empty(tables: Sequence[type[models.Model]]) -> None:
    """Empty append-only tables too (for seed --replace): TRUNCATE on PostgreSQL, plain DELETE on SQLite.

    The ORM refuses to delete ledger, timeline and record rows and PostgreSQL's triggers refuse DELETE;
    TRUNCATE (a reset, not an edit) passes. Run inside the seed's transaction, before the people go.
    """
    names = [m._meta.db_table for m in tables]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows written earlier in this transaction would block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE {} CASCADE".format(", ".join(quote(n) for n in names)))
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        for name in names:
            cursor.execute(f"DELETE FROM {quote(name)}")  # noqa: S608 - a model's own table name
