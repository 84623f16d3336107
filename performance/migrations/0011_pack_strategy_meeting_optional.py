"""A pack belongs to its strategy and may be issued without a meeting (the quarter's pack from the
review): the strategy is filled from the meeting for the packs issued before."""

import django.db.models.deletion
from django.db import migrations, models


def fill_strategy(apps, schema_editor):
    MeetingPack = apps.get_model("performance", "MeetingPack")
    Meeting = apps.get_model("performance", "Meeting")
    for strategy_id in Meeting.objects.filter(packs__isnull=False).values_list("strategy_id", flat=True).distinct():
        MeetingPack.objects.filter(meeting__strategy_id=strategy_id).update(strategy_id=strategy_id)


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0010_indicator_ref_sort"),
        ("strategy", "0006_strategy_is_sample"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingpack",
            name="strategy",
            field=models.ForeignKey(
                help_text="The strategy whose quarter it shows.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="packs",
                to="strategy.strategy",
            ),
        ),
        migrations.RunPython(fill_strategy, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meetingpack",
            name="strategy",
            field=models.ForeignKey(
                help_text="The strategy whose quarter it shows.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="packs",
                to="strategy.strategy",
            ),
        ),
        migrations.AlterField(
            model_name="meetingpack",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                help_text="The meeting it is for; none for a quarter's pack issued from the review.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="packs",
                to="performance.meeting",
            ),
        ),
        migrations.AlterModelOptions(
            name="meetingpack",
            options={"ordering": ["strategy", "-issued_at", "-pk"], "verbose_name": "meeting pack"},
        ),
    ]
