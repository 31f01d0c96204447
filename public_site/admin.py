from django.contrib import admin

from .models import GuideStep, Inquiry


@admin.register(GuideStep)
class GuideStepAdmin(admin.ModelAdmin):
    list_display = ["title", "coalition", "position"]
    list_filter = ["coalition"]
    filter_horizontal = ["response_areas"]


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["name", "coalition", "status", "created_at"]
    list_filter = ["coalition", "status"]
    exclude = ["source"]
