from django.db import migrations, models

# Each action's last_updated_at is its latest update's recorded_at (Action._follow keeps it so).
# Plain SQL that PostgreSQL and SQLite both run, in one statement whatever the number of actions.
FILL = """
    UPDATE actions_action SET last_updated_at = (
        SELECT recorded_at FROM actions_update WHERE actions_update.id = actions_action.latest_update_id
    )
    WHERE latest_update_id IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0008_lean_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="last_updated_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
    ]
