"""Our sample of the original's export (tests/fixtures, in the repository) and dumps built from it."""
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

# The original's real tables (its CREATE TABLE statements, verbatim) filled with people, machines and
# tickets we invented: a fresh clone has everything the import tests read.
SAMPLE_EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "d1-export-sample.sql"
# A developer holding a real export can also check that every one of its rows is accounted for
# (test_import_d1.py::test_every_row_of_a_real_export_is_accounted_for): IGP_D1_EXPORT=/path/to/export.sql.
REAL_EXPORT = os.environ.get("IGP_D1_EXPORT", "")

# Passwords of the sample's users, hashed with the original's algorithms (legacy/hashers.py).
SAMPLE_PASSWORDS = {
    "admin@verrerie.test": "Admin-Verre 2025!",  # v2 (PBKDF2-SHA256, 100,000 iterations).
    "technicien2@verrerie.test": "Pierre-ancien-mdp",  # Old unsalted SHA-256.
}

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
def sample_export():
    return SAMPLE_EXPORT


@pytest.fixture
def make_dump(sample_export, tmp_path):
    """make_dump(extra_sql="", replace={old: new}) -> Path of the sample export, amended."""
    counter = iter(range(1000))

    def _make(extra_sql="", replace=None):
        text = sample_export.read_text(encoding="utf-8")
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
