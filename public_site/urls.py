from django.urls import include, path

from . import views

coalition_patterns = [
    path("inquiries/", views.inquiries, name="inquiries"),
    path("guide/", views.guide_edit, name="guide_edit"),
    path("guide/<int:pk>/", views.guide_edit, name="guide_step_edit"),
]

public_patterns = [
    path("", views.coalition_home, name="public_coalition"),
    path("report/", views.report_guide, name="public_guide"),
    path("embed/", views.guide_embed, name="public_guide_embed"),
    path("events.ics", views.events_feed, name="public_events_feed"),
    path("directory/", views.resource_directory, name="public_directory"),
    path("contact/", views.contact, name="public_contact"),
]

urlpatterns = [
    # The site's address: members' dashboard, or the public front door.
    path("", views.front_door, name="home"),
    path("c/<slug:coalition_slug>/", include(coalition_patterns)),
    path("p/<slug:coalition_slug>/", include(public_patterns)),
]
