"""The public pages, each in English (/en/…) and Spanish (/es/…): included by
the root URLconf under i18n_patterns. An address without the language
(/p/<slug>/…) is sent on to the browser's language by
coordination.middleware.PublicLocaleMiddleware."""

from django.urls import include, path

from . import views

public_patterns = [
    path("", views.coalition_home, name="public_coalition"),
    path("report/", views.report_guide, name="public_guide"),
    path("embed/", views.guide_embed, name="public_guide_embed"),
    path("directory/", views.resource_directory, name="public_directory"),
    path("contact/", views.contact, name="public_contact"),
]

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("p/<slug:coalition_slug>/", include(public_patterns)),
]
