"""On PostgreSQL a wish's timeline rows can never be changed, whoever asks, the app included.

DELETE stays possible (a wish removed with its whole timeline, e.g. re-seeding the demo); the
ORM guards of WishEvent (save, delete, queryset update) refuse changes too, on every database.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION wishes_wishevent_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'wishes_wishevent is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS wishes_wishevent_no_update ON wishes_wishevent;
CREATE TRIGGER wishes_wishevent_no_update BEFORE UPDATE ON wishes_wishevent
    FOR EACH ROW EXECUTE FUNCTION wishes_wishevent_no_update();
"""

DROP = """
DROP TRIGGER IF EXISTS wishes_wishevent_no_update ON wishes_wishevent;
DROP FUNCTION IF EXISTS wishes_wishevent_no_update();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("wishes", "0002_invitations")]

    operations = [migrations.RunPython(forwards, backwards)]
