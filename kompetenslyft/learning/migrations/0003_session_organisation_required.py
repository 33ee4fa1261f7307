"""Every session now names the organisation that runs it (filled in by 0002; a separate
migration so that PostgreSQL alters the table outside the transaction that updated its rows)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_session_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="session",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sessions",
                to="org.organisation",
                verbose_name="run by",
            ),
        ),
    ]
