"""Statistics on the upper-cased texts the action list searches (PostgreSQL 14 and later).

Django's icontains is UPPER(column) LIKE UPPER(pattern) on PostgreSQL. Without statistics on
UPPER(column) the planner guesses that a search matches almost nothing, and when it matches thousands
of actions it loops over the plan's objectives once per action: 140 ms instead of 27 ms on 20,000
actions. Extended statistics on the expressions give it the real proportion. Other databases, and
older PostgreSQL, skip this.
"""

from django.db import migrations

STATISTICS = {
    "actions_action_text_upper_stats": ("actions_action", "text"),
    "actions_action_kpi_upper_stats": ("actions_action", "kpi"),
    "actions_update_commentary_upper_stats": ("actions_update", "commentary"),
}


def _supported(schema_editor):
    connection = schema_editor.connection
    return connection.vendor == "postgresql" and connection.pg_version >= 140000


def create(apps, schema_editor):
    if not _supported(schema_editor):
        return
    for name, (table, column) in STATISTICS.items():
        schema_editor.execute(f'CREATE STATISTICS IF NOT EXISTS "{name}" ON (UPPER("{column}")) FROM "{table}"')
        schema_editor.execute(f'ANALYZE "{table}"')


def drop(apps, schema_editor):
    if not _supported(schema_editor):
        return
    for name in STATISTICS:
        schema_editor.execute(f'DROP STATISTICS IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("actions", "0006_import_heartbeat")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
