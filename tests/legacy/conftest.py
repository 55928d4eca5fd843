"""The original's real export (shared/fixtures, beside the clone) and dumps built from it."""
import io
from pathlib import Path

import pytest
from django.core.management import call_command

# CI runs in a fresh clone with a copy of shared/ beside it: <clone>/../shared/.
SHARED_EXPORT = Path(__file__).resolve().parents[2].parent / "shared/fixtures/d1-export-2025-11-06.sql"

# Computed independently of our code, by the original's own algorithm (Web Crypto
# in Node 20: importKey("raw", TextEncoder(password)) + deriveBits PBKDF2/SHA-256,
# 100,000 iterations, 256 bits, salt = the 16 bytes 00 11 22 ... ff).
WEB_CRYPTO_PASSWORD = "Verre-trempé 2025!"
WEB_CRYPTO_V2_HASH = (
    "v2:00112233445566778899aabbccddeeff:1ff89a92bc7ab8d81d82e8edca1f71781ce707339c48f443e83409c5435e1f9d"
)
# crypto.subtle.digest("SHA-256", TextEncoder("ancien-mot-de-passe")), in Node 20.
OLD_PASSWORD = "ancien-mot-de-passe"
OLD_SHA256_HASH = "a6096e0fe781986d96df23ca89d9d55642344c7085ed746878b4dbc9878843b0"


@pytest.fixture
def shared_export():
    if not SHARED_EXPORT.is_file():
        pytest.fail(
            f"L'export partagé est introuvable : {SHARED_EXPORT}. Les tests de reprise en ont besoin "
            "(CI : copier shared/ à côté du clone)."
        )
    return SHARED_EXPORT


@pytest.fixture
def make_dump(shared_export, tmp_path):
    """make_dump(extra_sql="", replace={old: new}) -> Path of the shared export, amended."""
    counter = iter(range(1000))

    def _make(extra_sql="", replace=None):
        text = shared_export.read_text(encoding="utf-8")
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / f"dump-{next(counter)}.sql"
        path.write_text(text + "\n" + extra_sql, encoding="utf-8")
        return path

    return _make


@pytest.fixture
def run_import():
    """run_import(path, "--dry-run", ...) -> what the command printed."""

    def _run(path, *args):
        out = io.StringIO()
        call_command("import_d1", str(path), *args, stdout=out)
        return out.getvalue()

    return _run
