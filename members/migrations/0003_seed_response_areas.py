from django.db import migrations

AREAS = [
    "Awareness and education",
    "Training",
    "Prevention and demand reduction",
    "Identification and reporting",
    "Crisis response and hotline",
    "Investigation",
    "Prosecution and victim-witness support",
    "Child welfare response",
    "Shelter and housing",
    "Medical care",
    "Mental health and counselling",
    "Legal and immigration help",
    "Case management and restoration",
    "Interpretation",
    "Policy and legislation",
    "Data and evaluation",
    "Survivor engagement",
]


def seed_existing_coalitions(apps, schema_editor):
    Coalition = apps.get_model("coordination", "Coalition")
    ResponseArea = apps.get_model("members", "ResponseArea")
    for coalition in Coalition.objects.all():
        if not ResponseArea.objects.filter(coalition=coalition).exists():
            ResponseArea.objects.bulk_create(
                ResponseArea(coalition=coalition, name=name, position=(i + 1) * 10) for i, name in enumerate(AREAS)
            )


class Migration(migrations.Migration):
    dependencies = [("members", "0002_response_areas_and_agency_roles")]

    operations = [migrations.RunPython(seed_existing_coalitions, migrations.RunPython.noop)]
