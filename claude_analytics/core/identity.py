"""Who wrote an entry and on which machine: the `userId` and `hostname` a sync stamps.

A team's collection mixes many people's transcripts, which carry no identity of their own;
the syncing side adds it, as it adds `projectId`. A JSONL directory is one person's, so a
JSONL run stamps its own user and host. Both default to the operating system's names and
can be set or hashed (`core/config.py`), so a team can share usage without sharing names.
"""

from __future__ import annotations

import getpass
import hashlib
import socket
from dataclasses import dataclass

from claude_analytics.core.config import IdentitySettings, load_identity_settings

# A hashed name keeps this many hex digits: unique enough for a team, short in a report.
HASH_DIGITS = 12


@dataclass(frozen=True)
class Identity:
    user_id: str | None
    hostname: str | None


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return None


def hash_name(value: str, salt: str = "") -> str:
    """A stable pseudonym: the same name and salt always give the same text."""
    return hashlib.sha256(f"{salt}{value}".encode()).hexdigest()[:HASH_DIGITS]


def resolve_identity(
    settings: IdentitySettings | None = None,
    *,
    user_id: str | None = None,
    hostname: str | None = None,
    hashed: bool | None = None,
) -> Identity:
    """The identity to stamp: explicit values, else the settings, else the OS's names."""
    settings = settings or load_identity_settings()
    user = user_id or settings.user_id or _os_user()
    host = hostname or settings.hostname or socket.gethostname() or None
    if settings.hashed if hashed is None else hashed:
        user = hash_name(user, settings.salt) if user else None
        host = hash_name(host, settings.salt) if host else None
    return Identity(user_id=user, hostname=host)
