# A scan's chain is kept with it: a lost scan's next coalitions are still scanned.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0023_archive_scan'),
    ]

    operations = [
        migrations.AddField(
            model_name='archivescan',
            name='then',
            field=models.JSONField(blank=True, default=list, help_text='The coalitions to scan after this one.'),
        ),
    ]
