"""Single sign-on with OpenID Connect (django-allauth's socialaccount): a
person signs in with their agency's account (Entra ID, Google Workspace, Okta,
a county's Keycloak) instead of their Roundtable password.

- The providers come from OIDC_PROVIDERS (settings.py); the login page offers
  each, by a POST (CSRF-protected; PKCE with every provider).
- The first time, the provider's *verified* e-mail address, in one of the
  domains the deployment lets that provider vouch for, must be that of an
  active Roundtable login, which only an invitation (or an administrator)
  makes; the account is linked to it by the provider's subject, and later
  sign-ins find it by that. No one gets a login, or any standing, by signing
  in alone: the login's coalition roles and agency stay what they were.
- The second factor is still asked of those who have one, and organizers and
  leads still add one (coordination/second_factor.py)."""

from urllib.parse import urlsplit

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.openid_connect import views as openid_connect_views
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from . import security_log
from .models import User


def providers() -> list[tuple[str, str]]:
    """(id, name) of each configured provider, for the login page."""
    apps = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    return [(app["provider_id"], app["name"]) for app in apps]


def provider_origins() -> list[str]:
    origins = []
    for app in settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]:
        parts = urlsplit(app["settings"]["server_url"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def reach_providers(response):
    """The content security policy lets a page's form lead to the providers
    (form-action covers where a form's answer redirects): the login page's
    buttons, and allauth's page that asks before going."""
    if origins := provider_origins():
        csp = settings.SECURE_CSP
        response._csp_config = {**csp, "form-action": [*csp["form-action"], *origins]}
    return response


def login(request: HttpRequest, provider_id: str):
    """allauth's start of a sign-in with a provider, its page allowed to lead there."""
    return reach_providers(openid_connect_views.login(request, provider_id=provider_id))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False  # a login comes from an invitation only

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        name = sociallogin.provider.name
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                self._refuse(
                    request, sociallogin, "Your Roundtable login is switched off. Ask your coalition's organizers."
                )
            return
        options = sociallogin.provider.app.settings
        trusted = options.get("trust_email", False)
        verified = [a.email.strip().lower() for a in sociallogin.email_addresses if a.verified or trusted]
        if not verified:
            self._refuse(
                request,
                sociallogin,
                f"{name} did not confirm your e-mail address, so Roundtable cannot tell which login is yours. "
                "Sign in with your password, or ask your agency's IT to confirm the address.",
            )
        address = verified[0]
        domain = address.rpartition("@")[2]
        if not address.isascii() or domain not in options.get("domains", ()):
            self._refuse(
                request,
                sociallogin,
                f"{name} signs in addresses of {', '.join(options.get('domains', ())) or 'no domain'} only, "
                f"not {address}. Sign in with your password, or with your own agency's account.",
            )
        # the address as stored (logins keep theirs in lower case): no look-alike matches
        user = User.objects.filter(email=address, is_active=True).first()
        if user is None:
            self._refuse(
                request,
                sociallogin,
                f"No Roundtable login uses {address}. Signing in with {name} works for people their "
                "coalition's organizers have invited: ask them for an invitation.",
            )
        sociallogin.connect(request, user)
        # told by e-mail: from now on that account opens this login
        security_log.record(request, security_log.Kind.ACCOUNT_LINKED, user, detail=name, notify=True)

    def _refuse(self, request: HttpRequest, sociallogin, text: str) -> None:
        security_log.record(
            request,
            security_log.Kind.SIGN_IN_FAILED,
            sociallogin.user if sociallogin.is_existing else None,
            identifier=next((a.email for a in sociallogin.email_addresses), "")[:254],
            detail=f"{sociallogin.provider.name}: refused",
            notify=False,
        )
        messages.error(request, text)
        raise ImmediateHttpResponse(HttpResponseRedirect(reverse("login")))
