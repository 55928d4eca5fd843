"""E-mail: one notification to one address, through Django's e-mail backend (EMAIL_URL).

`build(delivery)` makes the message, `send(delivery)` sends it and turns every
fault into an `Outcome` (never an exception):

- HTML and plain-text parts (templates/notifications/email/), in the
  recipient's language (`User.language`, French when empty), with a link to the
  ticket (SITE_URL) and a one-click link to change what they receive (a signed
  token, works without signing in), also as a `List-Unsubscribe` header.
- `Message-ID: <notification_id@host of SITE_URL>`: the outbox row's id, kept
  across retries, so a retry after a killed run or a 4xx carries the same id
  and a receiving server (or the person's mail client) can deduplicate.
- SMTP reply codes: a 5xx refusal (unknown mailbox, refused sender or content)
  is permanent — `gone=True`, the delivery is given up at once instead of
  knocking every hour; a 4xx (mailbox busy, greylisting), a refused or dropped
  connection or a timeout is retried on the common schedule (5, 15, 60 min...).

The connection has a bounded timeout (`EMAIL_TIMEOUT`, per socket operation),
and the message is rendered before the connection opens, from rows the caller
loaded (`person_notification__recipient`, `…__ticket`): no query here, so
a worker thread can send it.

Each sending thread keeps its SMTP connection for `REUSE_SECONDS` (one run's
budget): a scan sending 500 e-mails opens a handful of connections, not 500
(connect, EHLO, STARTTLS and QUIT each time). A kept connection the server has
closed meanwhile is replaced once, transparently; any other fault drops it.
"""
import smtplib
import threading
import time
import uuid
from datetime import timedelta
from email.policy import Compat32
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..delivery import RESPONSE_BODY_CHARS, Outcome
from ..preferences import preferences_token

SMTP_OK = 250
REUSE_SECONDS = 20.0
_local = threading.local()


class _Policy(Compat32):
    """Django's compat32 messages, written faster: a header that is already one short ASCII line (Django
    has turned any non-ASCII value into encoded words before) is written as it is, instead of going
    through `email.header.Header` to find it needs no folding — half the cost of writing an e-mail,
    which a scan does a thousand times (bench/notifications.py). Anything else is folded as before."""

    def fold_binary(self, name, value):
        if isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value:
            line = f"{name}: {value}"
            if len(line) <= self.max_line_length:
                return (line + self.linesep).encode("ascii")
        return super().fold_binary(name, value)


# Headers are not folded at 78 characters: the List-Unsubscribe URL (a long token, no space to fold at)
# would otherwise go out as encoded words, which mail clients do not read as a link (RFC 2369).
_POLICY = _Policy(max_line_length=998)  # RFC 5322's hard limit.


class _Message(EmailMultiAlternatives):
    _built = None

    def message(self):
        """The MIME message, made once: `prepare` makes it ahead, the send (and a resend on a fresh
        connection) reuses it."""
        if self._built is None:
            msg = super().message()
            msg.policy = _POLICY
            # A random boundary of our own: the generator would otherwise search the whole text for a
            # boundary that does not occur in it (a regular expression per e-mail); 128 random bits cannot.
            msg.set_boundary(f"===============igp{uuid.uuid4().hex}==")
            _write_once(msg)
            self._built = msg
        return self._built


def _write_once(msg):
    """The message's bytes are written once (by `prepare`, ahead) and reused by the backend's send: nothing
    changes a message once made."""
    written, write = {}, msg.as_bytes

    def as_bytes(unixfrom=False, linesep="\n"):
        if (unixfrom, linesep) not in written:
            written[unixfrom, linesep] = write(unixfrom=unixfrom, linesep=linesep)
        return written[unixfrom, linesep]

    msg.as_bytes = as_bytes


def site_host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(delivery):
    return f"<{delivery.notification_id}@{site_host()}>"


def preferences_url(user, kind=""):
    """The one-click page; `kind` (this e-mail's) lets it offer "stop these by e-mail" in one click."""
    url = settings.SITE_URL + reverse("notifications:preferences-token", kwargs={"token": preferences_token(user)})
    return f"{url}?kind={kind}" if kind else url


def build(delivery):
    """The message for `delivery`, in its recipient's language. No query (relations preloaded)."""
    notification = delivery.person_notification
    user = notification.recipient
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        title = notification.title  # Rendered once: it is translated and formatted each time it is read.
        context = {
            "notification": notification, "user": user, "title": title, "body": notification.body,
            "url": notification.absolute_url, "preferences_url": preferences_url(user, notification.kind),
            "site_url": settings.SITE_URL, "language": language,
        }
        subject = " ".join(title.split())  # One line: a header cannot hold a newline.
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = _Message(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[delivery.target],
        headers={"Message-ID": message_id(delivery), "List-Unsubscribe": f"<{context['preferences_url']}>",
                 "Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def prepare(delivery):
    """Make the message ahead, on the dispatcher's thread while the connections are busy sending others
    (notifications.services: called when the row is claimed), so a connection's turn is spent talking
    SMTP, not writing MIME. A fault here is left for `send` to meet and record."""
    try:
        delivery.prepared_message = build(delivery)
        delivery.prepared_message.message().as_bytes(linesep="\r\n")  # As the SMTP backend asks for it.
    except Exception:  # noqa: BLE001 — `send` builds it again and records what goes wrong.
        delivery.prepared_message = None


def send(delivery):
    """One attempt. Returns an Outcome: status 250 on success, else the SMTP code (or None) and a French error."""
    started = time.monotonic()
    status, error, gone = None, "", False
    try:
        message = getattr(delivery, "prepared_message", None) or build(delivery)
        delivery.prepared_message = None  # A later attempt (a retry) is written afresh.
        if _send_once(message) == 1:
            status = SMTP_OK
        else:
            error = "Message non accepté par le serveur de courriel"
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()), (None, b""))
        status, error = code, f"Destinataire refusé : {code} {_text(reply)}"
    except smtplib.SMTPResponseException as exc:  # Sender refused, data refused, auth, HELO...
        status, error = exc.smtp_code, f"Refus du serveur de courriel : {exc.smtp_code} {_text(exc.smtp_error)}"
    except TimeoutError:
        error = f"Délai de {settings.EMAIL_TIMEOUT:g} s dépassé (serveur de courriel)"
    except (smtplib.SMTPException, OSError) as exc:
        error = f"Connexion impossible au serveur de courriel : {type(exc).__name__}: {_text(str(exc))}"
    except Exception as exc:  # noqa: BLE001 — a delivery fault must never stop a run
        error = f"Erreur inattendue : {type(exc).__name__}: {_text(str(exc))}"
    if status is not None and 500 <= status < 600:
        gone = True
    return Outcome(status=status, body="", error=error, duration=timedelta(seconds=time.monotonic() - started),
                   gone=gone)


def lane(delivery):
    return "email"


def _send_once(message):
    """Send on this thread's connection; once more on a new one if the kept one was closed by the server."""
    for last_try in (False, True):
        connection, reused = _connection()
        try:
            return connection.send_messages([message])
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            _drop()
            if not reused or last_try:
                raise
        except BaseException:
            _drop()
            raise
    return 0


def _connection():
    """(connection, reused): this thread's open connection if recent and to the same server, else a new one."""
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER,
           settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL)
    cached = getattr(_local, "cached", None)
    if cached is not None and cached[0] == key and time.monotonic() - cached[2] < REUSE_SECONDS:
        return cached[1], True
    _drop()
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    connection.open()  # Opened here, so send_messages() leaves it open for the next message.
    _local.cached = (key, connection, time.monotonic())
    return connection, False


def _drop():
    cached, _local.cached = getattr(_local, "cached", None), None
    if cached is not None:
        try:
            cached[1].close()
        except Exception:  # noqa: BLE001 — closing a dead connection may fail; it is gone either way
            pass


def _text(reply):
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", errors="replace")
    return str(reply)[:RESPONSE_BODY_CHARS]
