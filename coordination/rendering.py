from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form renders with labelled fields, help and errors tied to their
    inputs (templates/forms/)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
