"""Keep secrets out of logs, metadata and error messages.

A MongoDB URI may carry a password (`mongodb://user:secret@host`); everything the platform
shows about a server goes through these helpers instead of printing the URI.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/]*)(?::(?P<password>[^@/]*))?@", re.I
)


def redact_uri(uri: str) -> str:
    """The URI with its password replaced by `***` (user, hosts and options stay readable)."""
    return _CREDENTIALS.sub(
        lambda m: f"{m['scheme']}{m['user']}{':***' if m['password'] is not None else ''}@", uri
    )


def server_label(uri: str) -> str:
    """Only the scheme and hosts of a URI: what an operator needs to find the server."""
    without_credentials = _CREDENTIALS.sub(lambda m: m["scheme"], uri)
    scheme, _, rest = without_credentials.partition("://")
    hosts = rest.split("/", 1)[0].split("?", 1)[0]
    return f"{scheme}://{hosts}" if rest else without_credentials


def secrets_of(uri: str) -> list[str]:
    """The password as written in the URI and percent-decoded (drivers print either)."""
    match = _CREDENTIALS.search(uri)
    if not match or not match["password"]:
        return []
    raw = match["password"]
    return sorted({raw, unquote(raw)}, key=len, reverse=True)


def scrub(text: str, uri: str | None) -> str:
    """`text` with every occurrence of the URI's password (and the URI itself) masked."""
    if not uri:
        return text
    text = text.replace(uri, redact_uri(uri))
    for secret in secrets_of(uri):
        text = text.replace(secret, "***")
    return text
