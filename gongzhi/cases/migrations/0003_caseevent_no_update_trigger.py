"""On PostgreSQL a case's timeline rows can never be changed, whoever asks, the app included.

DELETE stays possible (a case removed with its whole timeline, e.g. re-seeding the demo); the
ORM guard in CaseEvent.save refuses updates too, on every database.
"""

from django.db import migrations

from gongzhi.core.append_only import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_duplicate_candidate_case_suggested_department")]

    operations = [refuse_updates("cases_caseevent")]
