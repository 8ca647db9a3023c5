# Issue 14: the bilingual catalogue of deployment roles, and system notes stored as codes.
# Schema first (the old free-text role is kept as role_text), then 0010 moves the data, then 0011
# drops role_text.

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('roster', '0008_list_and_home_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeploymentRole',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                ('name_fr', models.CharField(max_length=200, verbose_name='name (French)')),
                ('is_active', models.BooleanField(default=True, verbose_name='offered')),
                ('position', models.PositiveSmallIntegerField(default=100, help_text='Lower numbers come first.', verbose_name='position in the list')),
                ('needs_review', models.BooleanField(default=False, verbose_name='French name to check')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'deployment role',
                'verbose_name_plural': 'deployment roles',
                'ordering': ['position', 'name_en', 'id'],
                'constraints': [
                    models.UniqueConstraint(django.db.models.functions.text.Lower('name_en'), name='deployment_role_name_en_unique', violation_error_message='A role with this English name already exists.'),
                    models.UniqueConstraint(django.db.models.functions.text.Lower('name_fr'), name='deployment_role_name_fr_unique', violation_error_message='A role with this French name already exists.'),
                ],
            },
        ),
        migrations.RenameField(
            model_name='deployment',
            old_name='role',
            new_name='role_text',
        ),
        migrations.AlterField(
            model_name='deployment',
            name='role_text',
            field=models.CharField(blank=True, max_length=200, verbose_name='role'),
        ),
        migrations.AddField(
            model_name='deployment',
            name='catalogue_role',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deployments', to='roster.deploymentrole', verbose_name='role'),
        ),
        migrations.AddField(
            model_name='deployment',
            name='role_other_en',
            field=models.CharField(blank=True, max_length=200, verbose_name='other role (English)'),
        ),
        migrations.AddField(
            model_name='deployment',
            name='role_other_fr',
            field=models.CharField(blank=True, max_length=200, verbose_name='other role (French)'),
        ),
        migrations.AddField(
            model_name='applicationevent',
            name='note_code',
            field=models.CharField(blank=True, max_length=60, verbose_name='system note'),
        ),
        migrations.AddField(
            model_name='applicationevent',
            name='note_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='system note parameters'),
        ),
    ]
