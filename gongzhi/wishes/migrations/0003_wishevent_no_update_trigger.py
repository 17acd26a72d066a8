"""On PostgreSQL a wish's timeline rows can never be changed, whoever asks, the app included."""

from django.db import migrations

from gongzhi.core.append_only import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("wishes", "0002_invitations")]

    operations = [refuse_updates("wishes_wishevent")]
