from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "title", "kind", "audience", "presenting_agency", "people_reached", "is_public"]
    list_filter = ["coalition", "kind", "audience", "is_public"]
    search_fields = ["title", "place"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["presenting_agency"]
