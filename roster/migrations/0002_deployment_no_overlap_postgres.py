"""On PostgreSQL, forbid two overlapping deployments of one officer.

The range is half-open, [start, end), so a tour may end on the day the next begins.
SQLite has no exclusion constraints; there the service's check stands alone.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE roster_deployment ADD CONSTRAINT deployment_no_overlap_per_officer
    EXCLUDE USING gist (
        officer_id WITH =,
        daterange(start_date, COALESCE(actual_end_date, planned_end_date), '[)') WITH &&
    );
"""
DROP = "ALTER TABLE roster_deployment DROP CONSTRAINT IF EXISTS deployment_no_overlap_per_officer;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("roster", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
