from django.db import migrations

STEPS = [
    (
        "The person is or looks under 18",
        "Call Child Protective Services. Use the after-hours line outside business hours.",
        ["Child welfare response"],
    ),
    (
        "An adult presents with injuries",
        "Call 911 for emergency care. Report to law enforcement at once by phone, or within two working days in writing.",
        ["Investigation", "Identification and reporting"],
    ),
    (
        "An adult asks for help",
        "Call the National Human Trafficking Hotline: 1-888-373-7888 (24/7, over 200 languages), "
        "text 233733, or a local resource below.",
        ["Crisis response and hotline", "Shelter and housing"],
    ),
]


def seed(apps, schema_editor):
    Coalition = apps.get_model("coordination", "Coalition")
    GuideStep = apps.get_model("coordination", "GuideStep")
    ResponseArea = apps.get_model("members", "ResponseArea")
    for coalition in Coalition.objects.all():
        if GuideStep.objects.filter(coalition=coalition).exists():
            continue
        for position, (title, body, areas) in enumerate(STEPS, start=1):
            step = GuideStep.objects.create(coalition=coalition, position=position * 10, title=title, body=body)
            step.response_areas.set(ResponseArea.objects.filter(coalition=coalition, name__in=areas))


class Migration(migrations.Migration):
    dependencies = [("coordination", "0006_guide_and_inquiries"), ("members", "0006_notification_settings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
