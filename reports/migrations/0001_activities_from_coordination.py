# Activities, moved here from the coordination app. The tables already exist
# (coordination_activity and its history), so this only tells Django that
# this app owns them; content types follow so that admin history and
# permissions keep pointing at the same rows.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = ("activity", "historicalactivity")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="reports", model=model).exists():
            ContentType.objects.filter(app_label="coordination", model=model).update(app_label="reports")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('coordination', '0009_activities_move_to_reports'),
        ('members', '0006_notification_settings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalActivity',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('title', models.CharField(help_text='For example “Recognising trafficking: hotel staff”.', max_length=200)),
                        ('kind', models.CharField(choices=[('training', 'Professional training'), ('train_trainer', 'Train-the-trainer'), ('community_education', 'Community education'), ('awareness', 'Awareness event')], max_length=20)),
                        ('held_on', models.DateField(verbose_name='date')),
                        ('start_time', models.TimeField(blank=True, help_text='Shown on the public page for public events.', null=True)),
                        ('place', models.CharField(blank=True, max_length=300)),
                        ('audience', models.CharField(choices=[('law_enforcement', 'Law enforcement'), ('justice', 'Prosecution and courts'), ('child_welfare', 'Child welfare and social services'), ('victim_services', 'Victim services and shelters'), ('health_care', 'Health and behavioural health'), ('education', 'Schools and educators'), ('students', 'Students and youth'), ('parents', 'Parents and caregivers'), ('faith', 'Faith communities'), ('business', 'Businesses (hotels, transport, retail)'), ('tribal', 'Tribal communities'), ('public', 'General public'), ('mixed', 'Mixed professional audience')], max_length=20, verbose_name='audience sector')),
                        ('people_reached', models.PositiveIntegerField(blank=True, help_text='How many people took part (trained, or reached). Fill in after it is held.', null=True)),
                        ('is_public', models.BooleanField(default=False, help_text="Upcoming public events are listed on the coalition's public page.", verbose_name='announce on the public page')),
                        ('notes', models.TextField(blank=True, help_text='For members only. No victim-identifying details.')),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('coalition', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coalition')),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('presenting_agency', models.ForeignKey(blank=True, db_constraint=False, help_text='Leave empty when the coalition presented it together.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.agency')),
                    ],
                    options={
                        'verbose_name': 'historical activity',
                        'verbose_name_plural': 'historical activities',
                        'db_table': 'coordination_historicalactivity',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Activity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(help_text='For example “Recognising trafficking: hotel staff”.', max_length=200)),
                        ('kind', models.CharField(choices=[('training', 'Professional training'), ('train_trainer', 'Train-the-trainer'), ('community_education', 'Community education'), ('awareness', 'Awareness event')], max_length=20)),
                        ('held_on', models.DateField(verbose_name='date')),
                        ('start_time', models.TimeField(blank=True, help_text='Shown on the public page for public events.', null=True)),
                        ('place', models.CharField(blank=True, max_length=300)),
                        ('audience', models.CharField(choices=[('law_enforcement', 'Law enforcement'), ('justice', 'Prosecution and courts'), ('child_welfare', 'Child welfare and social services'), ('victim_services', 'Victim services and shelters'), ('health_care', 'Health and behavioural health'), ('education', 'Schools and educators'), ('students', 'Students and youth'), ('parents', 'Parents and caregivers'), ('faith', 'Faith communities'), ('business', 'Businesses (hotels, transport, retail)'), ('tribal', 'Tribal communities'), ('public', 'General public'), ('mixed', 'Mixed professional audience')], max_length=20, verbose_name='audience sector')),
                        ('people_reached', models.PositiveIntegerField(blank=True, help_text='How many people took part (trained, or reached). Fill in after it is held.', null=True)),
                        ('is_public', models.BooleanField(default=False, help_text="Upcoming public events are listed on the coalition's public page.", verbose_name='announce on the public page')),
                        ('notes', models.TextField(blank=True, help_text='For members only. No victim-identifying details.')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activities', to='coordination.coalition')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('presenting_agency', models.ForeignKey(blank=True, help_text='Leave empty when the coalition presented it together.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='members.agency')),
                    ],
                    options={
                        'verbose_name_plural': 'activities',
                        'db_table': 'coordination_activity',
                        'ordering': ['-held_on', '-pk'],
                        'indexes': [models.Index(fields=['coalition', 'held_on'], name='activity_date_idx'), models.Index(fields=['coalition', 'kind', 'held_on'], name='activity_kind_idx'), models.Index(fields=['coalition', 'is_public', 'held_on'], name='activity_public_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
