# Activities moved to the reports app (the top layer). Their tables keep their
# names (the model sets db_table), so only Django's record of which app owns
# the model changes; no row is touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0008_activities'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='HistoricalActivity'),
                migrations.DeleteModel(name='Activity'),
            ],
            database_operations=[],
        ),
    ]
