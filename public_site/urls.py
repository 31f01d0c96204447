"""The public pages without a language in their address, and the organizers'
pages of the public side. The public pages themselves are in
public_site.public_urls, under a language prefix (/en/, /es/)."""

from django.urls import include, path

from . import views

coalition_patterns = [
    path("inquiries/", views.inquiries, name="inquiries"),
    path("guide/", views.guide_edit, name="guide_edit"),
    path("guide/<int:pk>/", views.guide_edit, name="guide_step_edit"),
]

urlpatterns = [
    # The site's address: members' dashboard, or the public pages in the browser's language.
    path("", views.front_door, name="home"),
    path("c/<slug:coalition_slug>/", include(coalition_patterns)),
    # A calendar program's address: the same feed whatever the language.
    path("p/<slug:coalition_slug>/events.ics", views.events_feed, name="public_events_feed"),
]
