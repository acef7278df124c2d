"""The server's settings, and the checks that refuse an unsafe combination before it starts."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

MIB = 1024 * 1024
MAX_BODY = 1 * MIB
MAX_BATCH_BODY = 16 * MIB
MAX_BATCH_EVENTS = 10_000


class ServerConfigError(ValueError):
    """A setting the server refuses to start with."""


class PortInUse(OSError):
    """The host and port are taken by another program."""


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 5000
    auth: bool = True
    allow_simulation: bool = False
    allow_hosts: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    max_body: int = MAX_BODY
    max_batch_body: int = MAX_BATCH_BODY
    extra: dict = field(default_factory=dict)

    def check(self) -> None:
        if not self.auth and not is_loopback(self.host):
            raise ServerConfigError(f"--no-auth is only allowed on a loopback address, not {self.host}")
        if not 0 <= self.port <= 65535:
            raise ServerConfigError(f"port {self.port} is not between 0 and 65535")

    def host_names(self, port: int) -> set[str]:
        """The Host header values accepted (DNS-rebinding guard), with and without the port."""
        names = {"localhost", "127.0.0.1", "[::1]", _bracketed(self.host), *self.allow_hosts}
        return {n.lower() for n in names} | {f"{n.lower()}:{port}" for n in names}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
