"""Responses are counted into the rollups after the fact (`rollup_pending`).

Every existing response is already counted, so the column is added as NULL ("counted")
without rewriting the table; the model's default (True, "pending") lives only in Django's
state, since Django never writes Python defaults into the schema.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0005_comments_and_themes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddField(
                    model_name="response", name="rollup_pending",
                    field=models.BooleanField(null=True),
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="response", name="rollup_pending",
                    field=models.BooleanField(default=True, null=True),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(condition=models.Q(rollup_pending=True), fields=["id"],
                               name="response_rollup_pending"),
        ),
    ]
