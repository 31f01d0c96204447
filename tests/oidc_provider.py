"""A real OpenID Connect provider for the single sign-on tests: a small Django
site of its own (django-oauth-toolkit with OIDC), in its own process and its
own SQLite file, standing for an agency's Entra ID, Okta or Keycloak.

    python tests/oidc_provider.py --port 8765 --folder /tmp/provider \\
        --client-id roundtable --secret s3cret --redirect http://localhost:8000/accounts/oidc/county/login/callback/ \\
        --user 'deputy@sheriff.example.org:password:true' --user 'stranger@example.org:password:false'

Each --user is e-mail:password:verified (the `email_verified` claim the
provider vouches for). It prints "ready" once it answers.
"""

import argparse
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

LOGIN_PAGE = """<!doctype html><html lang="en"><head><title>County sign-in</title></head><body>
<h1>County sign-in</h1>
<form method="post">{% csrf_token %}
<label for="id_username">Work e-mail</label> {{ form.username }}
<label for="id_password">Password</label> {{ form.password }}
{{ form.non_field_errors }}
<input type="hidden" name="next" value="{{ next }}">
<button type="submit">Sign in to the county</button>
</form></body></html>"""


def configure(folder: Path, port: int) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.conf import settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="provider-only-in-tests",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "provider.sqlite3")}},
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            }
        ],
        # its own cookies, whatever host the browser calls it by
        SESSION_COOKIE_NAME="provider_session",
        CSRF_COOKIE_NAME="provider_csrf",
        LOGIN_URL="/login/",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        USE_TZ=True,
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": key.decode(),
            "OIDC_ISS_ENDPOINT": f"http://127.0.0.1:{port}/o",
            "PKCE_REQUIRED": True,
            "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],  # Roundtable runs on http in the tests
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
            "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail"},
        },
    )


def validator_class():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email": "email", "email_verified": "email"}

        def get_additional_claims(self, request):
            user = request.user
            return {
                "email": user.email,
                "email_verified": user.last_name == "verified",
                "name": user.first_name,
            }

    return Validator


urlpatterns: list = []


def __getattr__(name):
    if name == "Validator":
        return validator_class()
    raise AttributeError(name)


def build_urls() -> None:
    from django.contrib.auth.views import LoginView
    from django.template import engines
    from django.urls import include, path

    class ProviderLogin(LoginView):
        def get_template_names(self):
            return []

        def render_to_response(self, context, **kwargs):
            from django.http import HttpResponse

            template = engines["django"].from_string(LOGIN_PAGE)
            return HttpResponse(template.render(context, self.request))

    urlpatterns.extend(
        [
            path("login/", ProviderLogin.as_view(), name="login"),
            path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        ]
    )


def provision(client_id: str, secret: str, redirect: str, users: list[str]) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for entry in users:
        email, password, verified = entry.split(":")
        user = User.objects.create_user(username=email, email=email, password=password)
        user.first_name = email.split("@")[0].title()
        user.last_name = "verified" if verified == "true" else "unverified"
        user.save()
    Application.objects.create(
        name="Roundtable",
        client_id=client_id,
        client_secret=secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,  # a county's own app: no consent page
    )


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--redirect", required=True)
    parser.add_argument("--user", action="append", default=[])
    args = parser.parse_args()

    import django

    configure(args.folder, args.port)
    django.setup()
    build_urls()
    provision(args.client_id, args.secret, args.redirect, args.user)

    from django.core.wsgi import get_wsgi_application

    server = make_server("127.0.0.1", args.port, get_wsgi_application(), ThreadingServer, QuietHandler)
    print("ready", flush=True)
    server.serve_forever()


# --- Running it beside a test ------------------------------------------------------

PASSWORD = "provider-password"  # every person's, at the provider


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    """The provider's process, started with the Roundtable addresses it may send
    people back to and the people it knows (e-mail: "true" when it vouches for
    the address); `app()` is its entry for SOCIALACCOUNT_PROVIDERS."""

    def __init__(self, tmp_path: Path, redirects: list[str], people: dict[str, str]):
        self.port = free_port()
        # (hex: a secret starting with "-" would be taken by argparse for an option)
        self.client_id, self.secret = "roundtable", secrets.token_hex(16)
        users = [f"{email}:{PASSWORD}:{verified}" for email, verified in people.items()]
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--port", str(self.port)]
            + ["--folder", str(tmp_path), "--client-id", self.client_id, "--secret", self.secret]
            + ["--redirect", " ".join(redirects)]
            + [arg for user in users for arg in ("--user", user)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line.strip() == "ready", line + (self.process.stdout.read() if self.process.poll() is not None else "")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self, provider_id: str = "county", name: str = "County SSO", domains=("sheriff.example.org",)) -> dict:
        domains = list(domains)
        return {
            "provider_id": provider_id,
            "name": name,
            "client_id": self.client_id,
            "secret": self.secret,
            "settings": {"server_url": f"{self.url}/o", "domains": domains, "trust_email": False},
        }

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


if __name__ == "__main__":
    sys.modules.setdefault("oidc_provider", sys.modules[__name__])
    main()
