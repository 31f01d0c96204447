from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    Coalition,
    CoalitionRole,
    Committee,
    CommitteeMember,
    Invitation,
    Notification,
    PrivacyCheck,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = []
    list_filter = ["is_active", "is_staff"]


class CoalitionRoleInline(admin.TabularInline):
    model = CoalitionRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Coalition)
class CoalitionAdmin(admin.ModelAdmin):
    list_display = ["name", "counties", "founded_on", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CoalitionRoleInline]


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "coalition", "visibility", "is_active"]
    list_filter = ["coalition", "visibility"]
    inlines = [CommitteeMemberInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "coalition", "role", "created_at", "accepted_at"]
    list_filter = ["coalition", "role"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "email", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["email"]


@admin.register(PrivacyCheck)
class PrivacyCheckAdmin(admin.ModelAdmin):
    """The log of texts saved although the guard warned: read-only, as a log is."""

    list_display = ["at", "user", "form", "kinds", "reason", "path"]
    list_filter = ["form", "kinds"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
