"""The notify config: which channels get alerts, in which language. A JSON or YAML file outside the repository.

The file names secrets, it never holds them: webhook URLs (their key or access token is the credential), signing
secrets and SMTP credentials are environment variables named by `*_env` keys, read through config.settings.

    language: zh                 # zh (default) or en; a channel may override it
    max_alerts_per_message: 10   # a run's alerts are grouped into messages of at most this many
    stale_claim_minutes: 15      # a claim older than this (a crashed run) is sent again
    retry: {attempts: 4, backoff_seconds: 2, max_backoff_seconds: 60}
    timeout_seconds: 10
    channels:
      - {name: finance-mail, type: email, host: smtp.example.com, port: 587, from: acorn@example.com,
         to: [finance@example.com], username_env: ACORN_SMTP_USER, password_env: ACORN_SMTP_PASSWORD}
      - {name: ops-wecom, type: wecom, url_env: ACORN_WECOM_WEBHOOK, format: markdown}     # or text
      - {name: ops-dingtalk, type: dingtalk, url_env: ACORN_DINGTALK_WEBHOOK, secret_env: ACORN_DINGTALK_SECRET}
      - {name: ops-feishu, type: feishu, url_env: ACORN_FEISHU_WEBHOOK, secret_env: ACORN_FEISHU_SECRET, format: post}
      - {name: erp, type: webhook, url_env: ACORN_ALERT_WEBHOOK, headers_env: {Authorization: ACORN_ALERT_TOKEN}}

Every channel also takes `language` and `min_severity` (low / medium / high).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config.settings import secret_environ

CHANNEL_TYPES = ("email", "wecom", "dingtalk", "feishu", "webhook")
LANGUAGES = ("zh", "en")
SEVERITIES = ("low", "medium", "high")
_FORMATS = {"wecom": ("markdown", "text"), "feishu": ("post", "text"), "dingtalk": ("markdown",)}


class NotifyConfigError(ValueError):
    """The notify config cannot be used as written; the message names the file and the key, never a secret."""


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0


@dataclass(frozen=True)
class Channel:
    name: str
    type: str
    language: str
    min_severity: str = "low"
    format: str | None = None
    # email
    host: str | None = None
    port: int = 587
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    ca_file: Path | None = None  # a private CA for the SMTP server's certificate; default: the system's
    # where the secrets are: environment variable names
    url_env: str | None = None
    secret_env: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    headers_env: Mapping[str, str] = field(default_factory=dict)

    def env_names(self) -> list[str]:
        names = [self.url_env, self.secret_env, self.username_env, self.password_env, *self.headers_env.values()]
        return [n for n in names if n]

    def secrets(self) -> Mapping[str, str]:
        """The channel's secret values by variable name; a named variable that is not set is an error."""
        found = secret_environ(self.env_names())
        missing = [n for n in self.env_names() if not found.get(n)]
        if missing:
            raise NotifyConfigError(f"channel {self.name}: environment variable(s) {', '.join(missing)} not set")
        return found


@dataclass(frozen=True)
class NotifyConfig:
    channels: tuple[Channel, ...]
    language: str = "zh"
    max_alerts_per_message: int = 10
    stale_claim_minutes: float = 15.0
    timeout_seconds: float = 10.0
    retry: Retry = Retry()


def load_notify_config(path: Path) -> NotifyConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise NotifyConfigError(f"notify config {path}: {problem.strerror}") from None
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as problem:
        raise NotifyConfigError(f"notify config {path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {problem}") from None
    if not isinstance(document, dict):
        raise NotifyConfigError(f"notify config {path}: expected a mapping with `channels`")
    return parse_notify_config(document, str(path))


def parse_notify_config(document: Mapping[str, Any], where: str = "notify config") -> NotifyConfig:
    language = _choice(document.get("language", "zh"), LANGUAGES, f"{where}: language")
    retry = document.get("retry") or {}
    channels = document.get("channels")
    if not isinstance(channels, list) or not channels:
        raise NotifyConfigError(f"{where}: `channels` must be a non-empty list")
    parsed = tuple(_channel(c, language, f"{where}: channels[{i}]") for i, c in enumerate(channels))
    names = [c.name for c in parsed]
    if len(set(names)) != len(names):
        raise NotifyConfigError(f"{where}: channel names must be unique (they key the delivery log)")
    try:
        return NotifyConfig(
            channels=parsed,
            language=language,
            max_alerts_per_message=int(document.get("max_alerts_per_message", 10)),
            stale_claim_minutes=float(document.get("stale_claim_minutes", 15)),
            timeout_seconds=float(document.get("timeout_seconds", 10)),
            retry=Retry(int(retry.get("attempts", 4)), float(retry.get("backoff_seconds", 2)),
                        float(retry.get("max_backoff_seconds", 60))),
        )
    except (TypeError, ValueError, AttributeError) as problem:
        raise NotifyConfigError(f"{where}: {problem}") from None


def _channel(entry: Any, language: str, where: str) -> Channel:
    if not isinstance(entry, dict):
        raise NotifyConfigError(f"{where}: expected a mapping")
    kind = _choice(entry.get("type"), CHANNEL_TYPES, f"{where}: type")
    name = str(entry.get("name") or kind)
    for key in entry:
        # A secret written into the file would be read by anyone who can read the file, and leak into backups.
        if key in ("url", "secret", "password", "username", "headers"):
            raise NotifyConfigError(f"{where}: `{key}` is a secret: put it in an environment variable and name it "
                                    f"with `{key}_env`")
    formats = _FORMATS.get(kind)
    fmt = _choice(entry.get("format", formats[0]), formats, f"{where}: format") if formats else None
    common = {
        "name": name, "type": kind, "format": fmt,
        "language": _choice(entry.get("language", language), LANGUAGES, f"{where}: language"),
        "min_severity": _choice(entry.get("min_severity", "low"), SEVERITIES, f"{where}: min_severity"),
    }
    if kind == "email":
        recipients = entry.get("to")
        recipients = [recipients] if isinstance(recipients, str) else recipients
        if not entry.get("host") or not entry.get("from") or not recipients:
            raise NotifyConfigError(f"{where}: an email channel needs host, from and to")
        if bool(entry.get("username_env")) != bool(entry.get("password_env")):
            raise NotifyConfigError(f"{where}: give both username_env and password_env, or neither")
        return Channel(
            **common, host=str(entry["host"]), port=int(entry.get("port", 587)), sender=str(entry["from"]),
            recipients=tuple(str(r) for r in recipients), ca_file=Path(entry["ca_file"]) if entry.get("ca_file") else None,
            username_env=entry.get("username_env"), password_env=entry.get("password_env"),
        )
    if not entry.get("url_env"):
        raise NotifyConfigError(f"{where}: a {kind} channel needs url_env (the webhook URL holds its token)")
    headers = entry.get("headers_env") or {}
    if not isinstance(headers, dict):
        raise NotifyConfigError(f"{where}: headers_env maps a header name to an environment variable name")
    return Channel(**common, url_env=str(entry["url_env"]), secret_env=entry.get("secret_env"),
                   headers_env={str(k): str(v) for k, v in headers.items()})


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text not in allowed:
        raise NotifyConfigError(f"{where} must be one of {', '.join(allowed)}, not {value!r}")
    return text
