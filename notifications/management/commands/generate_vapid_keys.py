"""Print a new VAPID key pair as the lines to paste into the settings file.

Run once per installation. Changing the keys later orphans every subscription:
browsers subscribed with the old public key, and the push services refuse pushes
signed with another one, so each person must turn notifications on again.
"""
import base64

from django.core.management.base import BaseCommand


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_key_pair():
    """(public, private), base64url without padding: a P-256 point (65 bytes) and its 32-byte secret."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(private)


class Command(BaseCommand):
    help = "Affiche une nouvelle paire de clés VAPID (notifications push) à copier dans le fichier de réglages."
    requires_system_checks = []  # Must work precisely when the keys are missing.

    def add_arguments(self, parser):
        parser.add_argument("--subject", default="mailto:maintenance@example.com",
                            help="Adresse mailto: de l'administrateur, que les services push peuvent contacter.")

    def handle(self, *args, subject, **options):
        public, private = new_key_pair()
        self.stderr.write("# Notifications push (VAPID) : ajoutez ces lignes au fichier de réglages (ENV_FILE),\n"
                          "# puis redémarrez le service. La clé privée est un secret ; ne la changez plus ensuite.")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\nVAPID_SUBJECT={subject}")
