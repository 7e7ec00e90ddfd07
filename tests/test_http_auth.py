"""HTTP Basic and Digest headers, against the worked example of RFC 2617 (§3.5)."""

from __future__ import annotations

from unittest import mock

from itugraph.http_auth import Authenticator

CHALLENGE = (
    'Digest realm="testrealm@host.com", qop="auth,auth-int", '
    'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
)


def test_digest_answers_the_rfc_2617_example() -> None:
    auth = Authenticator("Mufasa", "Circle Of Life")
    assert auth.header("GET", "http://www.nowhere.org/dir/index.html") is None  # no challenge yet
    assert auth.learn(CHALLENGE)
    with mock.patch("itugraph.http_auth.os.urandom", return_value=bytes.fromhex("0a4f113b")):
        header = auth.header("GET", "http://www.nowhere.org/dir/index.html")
    assert header is not None
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert 'uri="/dir/index.html"' in header and "nc=00000001" in header
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header
    assert "nc=00000002" in (auth.header("GET", "http://www.nowhere.org/dir/index.html") or "")


def test_basic_and_unknown_schemes() -> None:
    auth = Authenticator("Aladdin", "open sesame")
    assert not auth.learn(None) and not auth.learn('Bearer realm="x"')
    assert not auth.learn('Digest realm="x", nonce="n", algorithm=SHA-256')  # only MD5 is spoken
    assert auth.learn('Basic realm="WallyWorld"')
    assert auth.header("PUT", "http://h/store?graph=g") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    assert "open sesame" not in repr(auth)
