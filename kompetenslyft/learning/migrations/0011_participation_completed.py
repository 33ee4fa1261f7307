from django.db import migrations, models
from django.db.models import Count


def fill_completed(apps, schema_editor):
    """The "all attendance" rows get their completed count here; an initiative's rows are
    rewritten on their next read (``participation.SHAPE`` 3)."""
    Attendance = apps.get_model("learning", "Attendance")
    Participation = apps.get_model("learning", "Participation")
    done = (
        Attendance.objects.filter(status="completed")
        .values("person__organisation_id", "person_id", "unit_id", "role_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {
        (row["person__organisation_id"], row["person_id"], row["unit_id"], row["role_id"]): row["n"] for row in done
    }
    if not found:
        return
    changed = []
    for row in Participation.objects.filter(initiative__isnull=True).iterator(chunk_size=2000):
        n = found.get((row.organisation_id, row.person_id, row.unit_id, row.role_id), 0)
        if n:
            row.completed = n
            changed.append(row)
    Participation.objects.bulk_update(changed, ["completed"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0010_participation_formats"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="completed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill_completed, migrations.RunPython.noop),
    ]
