"""Why an email could not be sent, in words that name the fix.

apprise reports every SMTP failure as "Connection error while submitting email" (the
cause goes to its debug log only). When an email channel fails, :func:`smtp_cause` walks
the same steps against the same server (connect, TLS, login, the sender) without sending
anything, and names the step that fails: "SMTP AUTH not supported by 127.0.0.1:2525",
"login refused", "TLS required", "connection refused".
"""

from __future__ import annotations

import smtplib
import ssl
from typing import Any

SSL = "ssl"
STARTTLS = "starttls"


def is_smtp(plugin: Any) -> bool:
    """Whether ``plugin`` is apprise's email (SMTP) plugin."""
    return all(hasattr(plugin, name) for name in ("smtp_host", "port", "secure_mode"))


def smtp_cause(plugin: Any, timeout: float) -> str | None:
    """The reason the SMTP exchange of ``plugin`` fails, or None if none is found.

    Opens one connection and stops before DATA: nothing is ever delivered."""
    host, port = str(plugin.smtp_host), int(plugin.port)
    where = f"{host}:{port}"
    mode = str(plugin.secure_mode).lower()
    context = ssl.create_default_context()
    if not getattr(plugin, "verify_certificate", True):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        if mode == SSL:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
    except ConnectionRefusedError:
        return f"connection refused by {where}: check the SMTP host and port"
    except TimeoutError:
        return f"no answer from {where} within {timeout:g}s: check the SMTP host and port"
    except ssl.SSLError as exc:
        return (
            f"TLS handshake with {where} failed ({exc.reason or exc}): the port may expect "
            "STARTTLS (mailtos:// on 587) rather than TLS from the start (?mode=ssl, 465)"
        )
    except (OSError, smtplib.SMTPException) as exc:
        return f"cannot talk SMTP with {where}: {exc}"
    try:
        return _session(smtp, plugin, where, mode, context)
    except smtplib.SMTPServerDisconnected:
        return f"{where} closed the connection during the SMTP exchange"
    except (OSError, smtplib.SMTPException) as exc:
        return f"SMTP with {where} failed: {exc}"
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _session(
    smtp: smtplib.SMTP, plugin: Any, where: str, mode: str, context: ssl.SSLContext
) -> str | None:
    smtp.ehlo()
    if mode == STARTTLS:
        if not smtp.has_extn("starttls"):
            return (
                f"TLS not offered by {where} (no STARTTLS): use its TLS port, or "
                "mailto://...?mode=insecure only on a network you trust"
            )
        smtp.starttls(context=context)
        smtp.ehlo()
    user, password = getattr(plugin, "user", None), getattr(plugin, "password", None)
    if user and password:
        if not smtp.has_extn("auth"):
            hint = (
                "the server may offer it only over TLS: use mailtos://"
                if mode != STARTTLS and mode != SSL
                else "drop the user and password from the URL if it needs no login"
            )
            return f"SMTP AUTH not supported by {where}; {hint}"
        try:
            smtp.login(user, password)
        except smtplib.SMTPAuthenticationError as exc:
            return f"login refused by {where} ({_reply(exc)}): check the SMTP user and password"
    sender = (getattr(plugin, "from_addr", None) or ("", ""))[1] or ""
    code, reply = smtp.mail(sender)
    smtp.rset()
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    if code == 530 or "starttls" in text.lower() or "tls" in text.lower().split():
        return (
            f"TLS required by {where} ({code} {text}): use mailtos:// (STARTTLS, port 587) "
            "or ?mode=ssl (port 465)"
        )
    if code in (530, 535) or (code >= 500 and "auth" in text.lower()):
        return f"login required by {where} ({code} {text}): put the user and password in the URL"
    if code >= 400:
        return f"{where} refused the sender {sender!r} ({code} {text}): check from="
    return None


def _reply(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return f"{exc.smtp_code} {text}".strip()
