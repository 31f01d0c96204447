from django.urls import include, path

from . import views

coalition_patterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_form, name="meeting_create"),
    path("meetings/search/", views.meeting_search, name="meeting_search"),
    path("meetings/settings/", views.meeting_settings, name="meeting_settings"),
    path("meetings/series/new/", views.series_form, name="series_create"),
    path("meetings/series/<int:pk>/", views.series_form, name="series_edit"),
]

meeting_patterns = [
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_form, name="meeting_edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/agenda/<int:item_pk>/", views.agenda, name="agenda_item"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/invitations/", views.send_invitations, name="send_invitations"),
    path("<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("<int:pk>/minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path("<int:pk>/minutes/read/", views.minutes_read, name="minutes_read"),
    path("<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("rsvp/<str:token>/", views.rsvp_by_link, name="rsvp_link"),
    path("email-settings/<str:token>/", views.reminder_settings, name="reminder_settings"),
]

calendar_patterns = [
    path("", views.calendar_settings, name="calendar_settings"),
    path("<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]

urlpatterns = [
    path("c/<slug:coalition_slug>/", include(coalition_patterns)),
    path("meetings/", include(meeting_patterns)),
    path("calendar/", include(calendar_patterns)),
]
