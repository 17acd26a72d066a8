"""Append-only tables on PostgreSQL: a trigger that refuses UPDATE whoever asks, the app included.

Used by the migrations of the timelines (cases, orders, wishes). DELETE stays possible (a record
removed with its whole timeline, e.g. re-seeding the demo); the ORM guards of each model refuse
changes on every database. SQLite has no such guard, so the operation does nothing there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _create(table: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {table}_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_no_update();
"""


def _drop(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP FUNCTION IF EXISTS {table}_no_update();
"""


def refuse_updates(table: str) -> migrations.RunPython:
    """The migration operation installing (and, reversed, removing) the trigger on `table`."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_create(table))

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_drop(table))

    return migrations.RunPython(forwards, backwards)
