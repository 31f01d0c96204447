from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import security_log
from .models import (
    Coalition,
    CoalitionRole,
    Committee,
    CommitteeMember,
    Invitation,
    Notification,
    PrivacyCheck,
    SecurityEvent,
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


# Second factors: an administrator removes a lost one (an organizer's reset is the
# usual way); each removal is logged and e-mailed like any other. Nothing else
# about them is edited here: their secrets are the person's.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    raw_id_fields = ("user",)
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _removed_by_admin(request, [obj])

    def delete_queryset(self, request, queryset):
        removed = list(queryset.select_related("user"))
        super().delete_queryset(request, queryset)
        _removed_by_admin(request, removed)


def _removed_by_admin(request, removed) -> None:
    for authenticator in removed:
        security_log.record(
            request,
            security_log.Kind.FACTOR_RESET,
            authenticator.user,
            actor=request.user,
            detail=f"{authenticator.get_type_display()} removed in the administration site",
        )


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The whole log, every coalition's and the failures of unknown addresses; read only."""

    list_display = ("at", "kind", "identifier", "actor", "ip_address", "detail")
    list_filter = ("kind",)
    search_fields = ("identifier", "user__email", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
