"""Password hashers of the original application, so its users keep their passwords.

The original (a Cloudflare Worker, `src/utils/password.ts`) stored either
- `v2:<salt hex>:<hash hex>`: PBKDF2-HMAC-SHA256, 100,000 iterations, 32-byte
  key, with Web Crypto. The salt is 16 random *bytes*, hex-encoded for storage
  and decoded back to bytes before deriving; the password goes in as UTF-8
  (`TextEncoder`). So the salt is used as decoded bytes, never as hex text;
- or, for older accounts, the unsalted SHA-256 of the UTF-8 password, in hex.

The import (`legacy.importer.legacy_password`) rewrites them in Django's
`<algorithm>$...` form. Both hashers come after Django's default in
PASSWORD_HASHERS: Django verifies with them and, on the next successful
sign-in, re-hashes the password with the default hasher (`check_password`
calls its setter whenever the stored hasher is not the preferred one).
"""
import hashlib
import secrets

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop as _


class IGPLegacyPBKDF2Hasher(BasePasswordHasher):
    """`igp_v2_pbkdf2$<iterations>$<salt hex>$<hash hex>`."""

    algorithm = "igp_v2_pbkdf2"
    iterations = 100_000
    key_length = 32

    def salt(self):
        return secrets.token_hex(16)

    def encode(self, password, salt, iterations=None):
        self._check_encode_args(password, salt)
        iterations = iterations or self.iterations
        derived = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations), dklen=self.key_length
        )
        return f"{self.algorithm}${iterations}${salt}${derived.hex()}"

    def decode(self, encoded):
        algorithm, iterations, salt, hash_hex = encoded.split("$", 3)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": hash_hex, "iterations": int(iterations), "salt": salt}

    def verify(self, password, encoded):
        try:
            decoded = self.decode(encoded)
            candidate = self.encode(password, decoded["salt"], decoded["iterations"])
        except ValueError:  # A salt that is not hex: nothing can match it.
            return False
        return constant_time_compare(encoded, candidate)

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("iterations"): decoded["iterations"],
            _("salt"): mask_hash(decoded["salt"]),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def harden_runtime(self, password, encoded):
        pass


class IGPLegacySHA256Hasher(BasePasswordHasher):
    """`igp_sha256$$<hash hex>`: unsalted, like Django's old unsalted hashers."""

    algorithm = "igp_sha256"

    def salt(self):
        return ""

    def encode(self, password, salt):
        if password is None:
            raise TypeError("password must be provided.")
        if salt != "":
            raise ValueError("salt must be empty.")
        return f"{self.algorithm}$${hashlib.sha256(password.encode('utf-8')).hexdigest()}"

    def decode(self, encoded):
        algorithm, empty, hash_hex = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": hash_hex, "salt": None}

    def verify(self, password, encoded):
        return constant_time_compare(encoded, self.encode(password, ""))

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {_("algorithm"): decoded["algorithm"], _("hash"): mask_hash(decoded["hash"])}

    def harden_runtime(self, password, encoded):
        pass
