# The public guide's steps and the public's messages moved to the public app
# (the top layer). Their tables keep their names (the models set db_table), so
# only Django's record of which app owns them changes; no row is touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0009_activities_move_to_reports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='GuideStep'),
                migrations.DeleteModel(name='Inquiry'),
            ],
            database_operations=[],
        ),
    ]
