# Issue 14: the free-text role is gone (0010 moved it into the catalogue); every deployment has a role.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('roster', '0010_deployment_roles_and_system_notes_data'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='deployment',
            name='role_text',
        ),
        migrations.AddConstraint(
            model_name='deployment',
            constraint=models.CheckConstraint(condition=models.Q(('catalogue_role__isnull', False), models.Q(('role_other_en', ''), _negated=True), models.Q(('role_other_fr', ''), _negated=True), _connector='OR'), name='deployment_has_a_role', violation_error_message="Give the officer's role in the mission."),
        ),
    ]
