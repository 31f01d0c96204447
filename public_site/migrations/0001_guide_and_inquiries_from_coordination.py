# The guide's steps and the public's messages, moved here from the coordination
# app. The tables already exist (coordination_guidestep with its response
# areas, coordination_inquiry), so this only tells Django that this app owns
# them; content types follow.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MOVED = ("guidestep", "inquiry")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="public_site", model=model).exists():
            ContentType.objects.filter(app_label="coordination", model=model).update(app_label="public_site")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('coordination', '0010_guide_and_inquiries_move_to_public'),
        ('members', '0006_notification_settings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='GuideStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('title', models.CharField(help_text='The situation, e.g. “The person is or looks under 18”.', max_length=200)),
                        ('body', models.TextField(help_text='What to do. Shown as written (line breaks kept).')),
                        ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='guide_steps', to='coordination.coalition')),
                        ('response_areas', models.ManyToManyField(blank=True, help_text='Public roles in these areas are listed with their numbers.', to='members.responsearea')),
                    ],
                    options={
                        'db_table': 'coordination_guidestep',
                        'ordering': ['coalition', 'position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Inquiry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=150)),
                        ('email', models.EmailField(max_length=254)),
                        ('message', models.TextField(max_length=5000)),
                        ('status', models.CharField(choices=[('new', 'New'), ('answered', 'Answered'), ('closed', 'Closed')], default='new', max_length=10)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('source', models.CharField(help_text="A keyed hash of the sender's address, for the rate limit.", max_length=64)),
                        ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inquiries', to='coordination.coalition')),
                    ],
                    options={
                        'verbose_name_plural': 'inquiries',
                        'db_table': 'coordination_inquiry',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['source', 'created_at'], name='inquiry_source_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
