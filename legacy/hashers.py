"""Password hashers of the original application (implemented in issue 6)."""
from django.contrib.auth.hashers import BasePasswordHasher


class IGPLegacyPBKDF2Hasher(BasePasswordHasher):
    algorithm = "igp_v2_pbkdf2"


class IGPLegacySHA256Hasher(BasePasswordHasher):
    algorithm = "igp_sha256"
