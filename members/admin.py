from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, JoinRequest, Membership, Person


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "sector", "phone", "listed_publicly"]
    list_filter = ["sector", "listed_publicly"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "agency", "email", "is_active"]
    search_fields = ["full_name", "email"]
    autocomplete_fields = ["agency", "user"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "coalition", "status", "joined_on", "mou_review_on"]
    list_filter = ["coalition", "status"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["agency", "coalition", "status", "requested_at", "decided_at"]
    list_filter = ["status", "coalition"]
    search_fields = ["agency__name"]
    raw_id_fields = ["agency", "requested_by", "decided_by"]
