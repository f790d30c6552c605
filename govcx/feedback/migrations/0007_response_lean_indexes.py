"""Fewer B-trees to write on every public submission (docs/benchmarks.md, "Ingest").

`survey_version` loses its index (only the rollup rebuild selects by version, reading every
row anyway; versions are never deleted); `customer` is indexed only where a customer is
known. The two indexes are dropped by name with plain SQL rather than by AlterField, which
on SQLite would copy the whole table (ten million rows in the dashboard benchmark).
"""

import django.db.models.deletion
from django.db import migrations, models

# Django's own names for the two foreign-key indexes (the same on SQLite and PostgreSQL).
OLD_INDEXES = {
    "customer_id": "feedback_response_customer_id_f2c715b7",
    "survey_version_id": "feedback_response_survey_version_id_20e5c6c4",
}


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("feedback", "0006_response_rollup_pending"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "feedback_response" ("{column}")',
                )
                for column, name in OLD_INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="response", name="customer",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL,
                                            to="customers.customer"),
                ),
                migrations.AlterField(
                    model_name="response", name="survey_version",
                    field=models.ForeignKey(db_index=False,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            to="feedback.surveyversion"),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(condition=models.Q(customer__isnull=False), fields=["customer"],
                               name="response_customer"),
        ),
    ]
