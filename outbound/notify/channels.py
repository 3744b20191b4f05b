"""Each channel's wire format and how it is sent: SMTP with STARTTLS, and the group-robot webhooks.

Payload builders are pure (tested for their exact JSON); `send` posts or mails once and raises `DeliveryError`
with a message that holds no secret: the notifier retries it with backoff and logs it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote_plus

import httpx

from outbound.notify.config import Channel
from outbound.notify.messages import Message, next_step

Clock = Callable[[], float]


class DeliveryError(Exception):
    """A send that did not go through; the text is already redacted."""


def dedup_key(channel: Channel, message: Message) -> str:
    """The same for the same alerts on the same channel: a receiver that sees it twice can drop the second."""
    ids = "\n".join(sorted(a.alert_id for a in message.alerts))
    return hashlib.sha256(f"{channel.name}\n{ids}".encode()).hexdigest()[:32]


# 企业微信 refuses a text over 2048 bytes and a markdown over 4096 (UTF-8); the other robots take ~20 KB.
_BYTE_LIMITS = {("wecom", "text"): 2048, ("wecom", "markdown"): 4096}
_DEFAULT_BYTE_LIMIT = 18_000


def fits(channel: Channel, message: Message) -> bool:
    """Whether the message's body stays within what the channel accepts (a margin left for the part number)."""
    limit = _BYTE_LIMITS.get((channel.type, channel.format or ""), _DEFAULT_BYTE_LIMIT) - 64
    body = message.markdown if channel.format == "markdown" or channel.type == "dingtalk" else message.text
    return len(body.encode()) <= limit


# ---- payloads ---------------------------------------------------------------------------------------------------


def wecom_payload(channel: Channel, message: Message) -> dict[str, Any]:
    # 企业微信群机器人: text content at most 2048 bytes, markdown at most 4096 (max_alerts_per_message keeps it short).
    if channel.format == "text":
        return {"msgtype": "text", "text": {"content": message.text}}
    return {"msgtype": "markdown", "markdown": {"content": message.markdown}}


def dingtalk_payload(channel: Channel, message: Message) -> dict[str, Any]:
    # 钉钉 Markdown needs a blank line for a line break.
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.markdown.replace("\n", "\n\n")}}


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: sign = Base64(HmacSHA256(key=secret, "timestamp\\nsecret")), URL-encoded, with the timestamp in ms."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书 签名校验: Base64(HmacSHA256(key="timestamp\\nsecret", empty message)), the timestamp in seconds."""
    return base64.b64encode(hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


def feishu_payload(channel: Channel, message: Message, secret: str | None, timestamp_s: int) -> dict[str, Any]:
    if channel.format == "text":
        payload: dict[str, Any] = {"msg_type": "text", "content": {"text": message.text}}
    else:
        lines = message.text.split("\n")[1:]  # the title is the post's own
        locale = "zh_cn" if message.language == "zh" else "en_us"
        payload = {"msg_type": "post", "content": {"post": {locale: {
            "title": message.title,
            "content": [[{"tag": "text", "text": line}] for line in lines],
        }}}}
    if secret:
        return {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **payload}
    return payload


def webhook_payload(channel: Channel, message: Message, run_id: str) -> dict[str, Any]:
    """The generic webhook: the message and every alert as data; amounts as exact decimal strings."""
    return {
        "source": "acorn",
        "event": "alerts",
        "dedup_key": dedup_key(channel, message),
        "run_id": run_id,
        "language": message.language,
        "title": message.title,
        "text": message.text,
        "alerts": [
            {
                "alert_id": a.alert_id, "domain": a.domain, "rule": a.alert_type, "severity": a.severity,
                "store_id": a.store_id, "account_id": a.account_id, "vendor_code": a.vendor_code,
                "subject": a.subject, "amount": None if a.amount is None else str(a.amount), "currency": a.currency,
                "raised_on": a.raised_on.isoformat() if a.raised_on else None,
                "first_seen_at": a.first_seen_at.isoformat() if a.first_seen_at else None,
                "message": a.message, "message_zh": a.message_zh,
                "next_step": next_step(a, message.language),
            }
            for a in message.alerts
        ],
    }


def email_message(channel: Channel, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.recipients)
    # Fixed per channel and alerts: a resend after a crash is the same message to the receiving mail system.
    mail["Message-ID"] = f"<acorn-{dedup_key(channel, message)}@acorn.alerts>"
    mail["X-ACORN-Alert-Ids"] = ", ".join(a.alert_id for a in message.alerts)
    mail.set_content(message.text)
    return mail


# ---- sending ----------------------------------------------------------------------------------------------------


def redact(text: str, secrets: Mapping[str, str]) -> str:
    for value in sorted(secrets.values(), key=len, reverse=True):
        if value:
            text = text.replace(value, "***").replace(quote_plus(value), "***")
    return text


def send(channel: Channel, message: Message, secrets: Mapping[str, str], run_id: str, timeout: float,
         clock: Clock = time.time) -> None:
    try:
        with _http_logs_quiet():
            if channel.type == "email":
                _send_email(channel, message, secrets, timeout)
            else:
                _post(channel, message, secrets, run_id, timeout, clock)
    except DeliveryError as problem:
        raise DeliveryError(redact(str(problem), secrets)) from None
    except (OSError, smtplib.SMTPException, httpx.HTTPError, ssl.SSLError) as problem:
        raise DeliveryError(redact(f"{type(problem).__name__}: {problem}", secrets)) from None


@contextmanager
def _http_logs_quiet() -> Iterator[None]:
    """httpx logs every request's full URL at INFO, and a robot's URL holds its token: not while we send."""
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _send_email(channel: Channel, message: Message, secrets: Mapping[str, str], timeout: float) -> None:
    context = ssl.create_default_context(cafile=str(channel.ca_file) if channel.ca_file else None)
    with smtplib.SMTP(channel.host or "", channel.port, timeout=timeout) as smtp:
        smtp.ehlo()
        # Credentials and alert amounts never cross the network in clear: no STARTTLS, no send.
        smtp.starttls(context=context)
        smtp.ehlo()
        if channel.username_env and channel.password_env:
            smtp.login(secrets[channel.username_env], secrets[channel.password_env])
        smtp.send_message(email_message(channel, message))


def _post(channel: Channel, message: Message, secrets: Mapping[str, str], run_id: str, timeout: float,
          clock: Clock) -> None:
    url = secrets[channel.url_env or ""]
    secret = secrets.get(channel.secret_env) if channel.secret_env else None
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if channel.type == "wecom":
        payload = wecom_payload(channel, message)
    elif channel.type == "dingtalk":
        payload = dingtalk_payload(channel, message)
        if secret:
            url = dingtalk_signed_url(url, secret, int(clock() * 1000))
    elif channel.type == "feishu":
        payload = feishu_payload(channel, message, secret, int(clock()))
    else:
        payload = webhook_payload(channel, message, run_id)
        headers["Idempotency-Key"] = payload["dedup_key"]
        headers |= {header: secrets[name] for header, name in channel.headers_env.items()}
    response = httpx.post(url, json=payload, headers=headers, timeout=timeout)
    if response.status_code // 100 != 2:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
    if channel.type == "webhook":
        return
    # The robots answer HTTP 200 with an error code in the body: 企业微信/钉钉 errcode, 飞书 code (StatusCode before).
    try:
        body = response.json()
    except ValueError:
        raise DeliveryError(f"HTTP {response.status_code}: not JSON: {response.text[:200]}") from None
    code = body.get("errcode", body.get("code", body.get("StatusCode", 0))) if isinstance(body, dict) else 0
    if code not in (0, "0"):
        text = body.get("errmsg") or body.get("msg") or body.get("StatusMessage") or ""
        raise DeliveryError(f"{channel.type} refused the message: code {code} {text}".strip())
