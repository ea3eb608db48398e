"""nginx in front of relay processes, as docs/operations.md configures it, started by a test or
a bench in a prefix of its own (``nginx -p PREFIX -c CONF``), never the system service."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from tests.integration.nodes import wait_for


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise AssertionError("nginx is missing (Debian: apt-get install nginx; .ci/run does)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nginx_config(prefix: Path, port: int, relay_ports: list[int], connections: int = 1024) -> str:
    """The configuration of docs/operations.md (\"Several relay processes behind nginx\"),
    for a prefix of its own: every mailbox path hashed to one relay process, everything else
    (version 2 nodes, /health) to the first."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in relay_ports)
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_rlimit_nofile {2 * connections};
events {{ worker_connections {connections}; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    map $uri $mailbox {{
        "~^/v3/mailboxes/(?<id>[0-9a-fA-F]{{32}})/" $id;
        default "";
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    upstream releve_relays {{
        hash $mailbox consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location /v3/mailboxes/ {{
            proxy_pass http://releve_relays;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 120s;
            proxy_send_timeout 120s;
            proxy_next_upstream off;
            client_max_body_size 5m;
        }}
        location / {{
            proxy_pass http://127.0.0.1:{relay_ports[0]};
            proxy_http_version 1.1;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
    }}
}}
"""


class Nginx:
    """nginx with :func:`nginx_config`, started in the foreground under ``prefix``."""

    def __init__(self, prefix: Path, relay_ports: list[int], connections: int = 1024) -> None:
        self.prefix = prefix
        self.port = free_port()
        prefix.mkdir(parents=True, exist_ok=True)
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(nginx_config(prefix, self.port, relay_ports, connections))
        self.stderr = prefix / "stderr.log"
        with open(self.stderr, "wb") as stderr:
            self.process = subprocess.Popen(
                [
                    nginx_binary(),
                    "-p",
                    str(prefix),
                    "-e",
                    str(prefix / "error.log"),
                    "-c",
                    str(self.conf),
                ],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        wait_for(self._listening, 30, "nginx to listen")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            log = self.stderr.read_text()
            if (self.prefix / "error.log").exists():
                log += (self.prefix / "error.log").read_text()
            raise AssertionError(f"nginx exited: {log}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown of master and workers
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
