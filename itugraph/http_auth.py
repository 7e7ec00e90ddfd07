"""HTTP Basic and Digest authentication (RFC 7617, RFC 7616 with MD5 and ``qop=auth``),
sent with every request once the store's challenge is known.

Why not urllib's handlers: they answer a ``401`` by resending the request, so a large
Graph Store ``PUT`` is sent twice, and a store that refuses before reading the body (as
Virtuoso does) closes the connection while the body is still being written: the client
sees a broken pipe, never the ``401``. Knowing the challenge first (from a request without
a body) and authenticating up front avoids both.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass, field


@dataclass
class Authenticator:
    """The ``Authorization`` header for a user, once the store said which scheme it wants."""

    user: str
    password: str = field(repr=False)
    scheme: str | None = None
    challenge: dict[str, str] = field(default_factory=dict)
    _count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def known(self) -> bool:
        return self.scheme is not None

    def learn(self, www_authenticate: str | None) -> bool:
        """Take the challenge of a ``401``; False when it names no scheme we speak."""
        if not www_authenticate:
            return False
        scheme, _, rest = www_authenticate.strip().partition(" ")
        if scheme.lower() == "basic":
            self.scheme, self.challenge = "basic", {}
            return True
        if scheme.lower() != "digest":
            return False
        pairs = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        if "nonce" not in pairs or pairs.get("algorithm", "MD5").upper() != "MD5":
            return False
        with self._lock:
            self.scheme, self.challenge, self._count = "digest", pairs, 0
        return True

    def header(self, method: str, url: str) -> str | None:
        """The header for a request, or None while no challenge is known."""
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return f"Basic {token}"
        if self.scheme == "digest":
            return self._digest(method, url)
        return None

    def _digest(self, method: str, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        c = self.challenge
        with self._lock:
            self._count += 1
            count = f"{self._count:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = _md5(f"{self.user}:{c.get('realm', '')}:{self.password}")
        ha2 = _md5(f"{method}:{uri}")
        qop = "auth" if "auth" in c.get("qop", "").split(",") else None
        if qop:
            response = _md5(f"{ha1}:{c['nonce']}:{count}:{cnonce}:{qop}:{ha2}")
        else:
            response = _md5(f"{ha1}:{c['nonce']}:{ha2}")
        fields = {
            "username": self.user,
            "realm": c.get("realm", ""),
            "nonce": c["nonce"],
            "uri": uri,
            "response": response,
        }
        if "opaque" in c:
            fields["opaque"] = c["opaque"]
        text = ", ".join(f'{key}="{value}"' for key, value in fields.items())
        if qop:
            text += f', qop={qop}, nc={count}, cnonce="{cnonce}"'
        return f"Digest {text}, algorithm=MD5"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
