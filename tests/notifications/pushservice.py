"""A push service of our own on 127.0.0.1, standing in for Google's, Mozilla's or Apple's.

It does what a real one does with our request, so a test proves more than "a POST
went out":

1. checks the VAPID token (RFC 8292): `Authorization: vapid t=<JWT>, k=<key>`, an
   ES256 signature made by the key `k`, `k` equal to the application server key
   the subscription was made with, `aud` equal to this service's origin, `exp` in
   the future and at most 24 h away, a `sub`. A bad token is answered 401 (403
   for a key that is not the subscription's) and nothing is delivered;
2. decrypts the `aes128gcm` body (RFC 8291) with the device's private key and auth
   secret, which the stand-in made in `new_subscription()` as a browser would, and
   records the JSON the service worker would receive;
3. answers what the test asked for: 201 by default, or `answer(status, …)`
   (404, 410, 429 with Retry-After, 500…), or holds the request (`hang()`).

Port: the first free one of PUSH_STAND_IN_PORTS ("18400-18499"), or any free one.
"""
import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from notifications.management.commands.generate_vapid_keys import new_key_pair


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """What a browser keeps for one subscription: its key pair and auth secret."""

    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str
    info: dict = field(default_factory=dict)


@dataclass
class Received:
    token: str
    payload: dict
    headers: dict  # lower-case names
    claims: dict


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that gave up (its deadline) before the answer is normal here: no traceback for it."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class PushServiceStandIn:
    def __init__(self):
        self.devices = {}
        self.received = []
        self.rejected = []  # (token, reason) of requests refused for their VAPID token
        self.answers = []  # (status, headers) to give, in order, before going back to 201
        self.lock = threading.Lock()
        self.hang_for = 0.0
        # Tests: one request per connection (a stand-in of a later test may reuse this port, and a pooled
        # keep-alive connection would still reach this one). The benchmark keeps connections, as a real push
        # service does (HTTP/1.1 keep-alive or HTTP/2), so it measures our sending, not reconnecting.
        self.keep_alive = False
        self.connections = set()  # (host, port) of each client connection seen
        self.released = threading.Event()
        self.server = self._bind()
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _bind(self):
        handler = self._handler()
        spec = os.environ.get("PUSH_STAND_IN_PORTS", "")
        if spec:
            low, _, high = spec.partition("-")
            for port in range(int(low), int(high or low) + 1):
                try:
                    return _Server(("127.0.0.1", port), handler)
                except OSError:
                    continue
        return _Server(("127.0.0.1", 0), handler)

    # --- What a test does ------------------------------------------------------------
    def new_subscription(self, application_server_key):
        """A device subscribing with our public VAPID key: returns its PushSubscription.toJSON()."""
        token = secrets.token_urlsafe(16)
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        info = {"endpoint": f"{self.origin}/push/{token}", "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}
        self.devices[token] = Device(token, key, auth, application_server_key, info)
        return info

    def forget(self, info):
        """The browser unsubscribed (or the phone was reset): the endpoint now answers 410."""
        self.devices.pop(info["endpoint"].rsplit("/", 1)[1], None)

    def answer(self, status, headers=None, times=1):
        with self.lock:
            self.answers.extend([(status, headers or {})] * times)

    def hang(self, seconds):
        """Hold each request this long (or until the test ends) before answering."""
        self.hang_for = seconds

    def payloads(self):
        with self.lock:
            return [r.payload for r in self.received]

    # --- The service -------------------------------------------------------------------
    def check_vapid(self, header, device):
        """The reason to refuse the token, or "" (with the claims) when it is good."""
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            return "not a vapid token", 401, {}
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        token, key = parts.get("t", ""), parts.get("k", "")
        try:
            signing_input, _, signature = token.rpartition(".")
            head = json.loads(unb64url(signing_input.split(".")[0]))
            claims = json.loads(unb64url(signing_input.split(".")[1]))
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
            raw = unb64url(signature)
            if head.get("alg") != "ES256" or len(raw) != 64:
                return "not ES256", 401, {}
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            public.verify(der, signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad signature", 401, {}
        except (ValueError, IndexError, json.JSONDecodeError):
            return "unreadable token", 401, {}
        if claims.get("aud") != self.origin:
            return f"aud {claims.get('aud')!r} is not {self.origin}", 401, claims
        exp = claims.get("exp")
        if not isinstance(exp, int) or not time.time() < exp <= time.time() + 24 * 3600:
            return f"exp {exp!r} is not within the next 24 h", 401, claims
        if not claims.get("sub"):
            return "no sub", 401, claims
        if device is not None and key != device.application_server_key:
            return "key is not the one the subscription was made with", 403, claims
        return "", 0, claims

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                arrived = time.monotonic()
                with service.lock:
                    service.connections.add(self.client_address)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                token = self.path.rsplit("/", 1)[-1]
                status, headers, text, received = self.judge(body, token)
                if service.hang_for:
                    # The answer comes `hang_for` after the request arrived, its checks included (a real
                    # service's latency is its whole answer time, not that plus our stand-in's decryption).
                    service.released.wait(max(0.0, service.hang_for - (time.monotonic() - arrived)))
                if received is not None:
                    with service.lock:
                        service.received.append(received)
                self.reply(status, headers, text)

            def judge(self, body, token):
                """(status, headers, text, what was received or None): VAPID, subscription, encryption."""
                device = service.devices.get(token)
                reason, status, claims = service.check_vapid(self.headers.get("Authorization", ""), device)
                if reason:
                    with service.lock:
                        service.rejected.append((token, reason))
                    return status, {}, reason, None
                if device is None:
                    return 410, {}, "no such subscription", None
                if self.headers.get("Content-Encoding") != "aes128gcm" or "TTL" not in self.headers:
                    return 400, {}, "aes128gcm body and TTL header required", None
                try:
                    plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth,
                                             version="aes128gcm")
                    payload = json.loads(plain)
                except Exception as exc:  # noqa: BLE001 — any failure to decrypt is the sender's fault
                    return 400, {}, f"cannot decrypt: {exc}", None
                with service.lock:
                    status, headers = service.answers.pop(0) if service.answers else (201, {})
                received = None
                if 200 <= status < 300:
                    headers_seen = {k.lower(): v for k, v in self.headers.items()}
                    received = Received(token, payload, headers_seen, claims)
                return status, {"Location": f"{service.origin}/message/{secrets.token_hex(4)}", **headers}, "", received

            def reply(self, status, headers, text=""):
                data = text.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                if not service.keep_alive:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def vapid(settings):
    """A VAPID key pair in the settings (what generate_vapid_keys prints), and the stand-in accepted."""
    public, private = new_key_pair()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:maintenance@igp.test"
    settings.WEBPUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
    settings.WEBPUSH_ALLOW_HTTP = True
    return public


@pytest.fixture
def push_service():
    service = PushServiceStandIn().start()
    yield service
    service.close()
