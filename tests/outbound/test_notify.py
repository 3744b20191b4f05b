"""The notifier against local servers: exact payloads per channel, once-only delivery across a repeated and a
crashed run, retries with backoff, STARTTLS email, and no secret in any log or row."""
from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import logging
import socket
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from config.settings import Settings
from outbound.notify import channels
from outbound.notify.config import NotifyConfigError, load_notify_config, parse_notify_config
from outbound.notify.notifier import notify
from tests.helpers.alerts_warehouse import (
    ACKNOWLEDGED,
    SELLER_CLAIM,
    SELLER_LOSS,
    VENDOR_OVERDUE,
    build_alerts_warehouse,
    self_signed_certificate,
    server_tls_context,
    start_http_server,
)

NOW = datetime(2026, 12, 1, 21, 0)
CLOCK = 1_764_622_800.123  # seconds since the epoch, fixed so signatures are known
TOKEN = "tok-SECRET-9f8e7d"  # the webhook URL's key: a secret
SIGNING = "SECabc123signing"


@pytest.fixture
def server():
    recorder = start_http_server()
    yield recorder
    recorder.server.shutdown()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", [SELLER_LOSS, SELLER_CLAIM, VENDOR_OVERDUE, ACKNOWLEDGED])
    return Settings(warehouse=warehouse, archive_dir=tmp_path / "archive")


def config(*entries: dict, **options) -> object:
    return parse_notify_config({"channels": list(entries), "retry": {"attempts": 3, "backoff_seconds": 0.5}, **options})


def run(settings: Settings, cfg, now: datetime = NOW, sleeps: list[float] | None = None, **kwargs):
    return notify(settings, cfg, now=lambda: now, clock=lambda: CLOCK,
                  sleep=(sleeps.append if sleeps is not None else lambda _s: None), **kwargs)


def deliveries(settings: Settings) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute("select alert_id, channel, attempt, status, error, sent_at is not null "
                           "from audit.alert_deliveries order by channel, alert_id, attempt").fetchall()
    finally:
        con.close()


OPEN_IDS = [SELLER_LOSS["alert_id"], SELLER_CLAIM["alert_id"], VENDOR_OVERDUE["alert_id"]]

ZH_TEXT = """ACORN 资金风险告警：3 条新告警
生成时间 2026-12-01 21:00 UTC

1. [高] 单日净亏损超过阈值 · 店铺 acme-us · 金额 612.40 USD
   店铺 acme-us 在 2026-01-05 净亏损 612.40 USD（阈值 500.00 USD）
   下一步：核对当天的退款、索赔和费用明细
   告警编号：seller:daily_net_loss:acme-us:2026-01-05

2. [中] 新的亚马逊商城交易保障索赔（A-to-z） · 店铺 acme-de · 金额 89.90 EUR
   New A-to-z claim on order 302-1234567-7654321
   下一步：在 ACORN 的“资金风险”页面查看证据，处理后确认或解决此告警。
   告警编号：seller:a_to_z_claim:acme-de:302-1234567-7654321

3. [低] 发票逾期未付 · 供应商账户 ACME1 (Amazon.de) · 金额 1,234.50 EUR
   Invoice INV-77 is 12 days overdue
   下一步：在 Vendor Central 查询付款状态，必要时提交付款争议
   告警编号：vendor:invoice_overdue:INV-77

每条告警只发送一次；在“资金风险”页面确认或解决。"""


def test_wecom_text_and_markdown_payloads_are_exact(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_WECOM_URL", f"{server.url}/cgi-bin/webhook/send?key={TOKEN}")
    report = run(settings, config({"name": "wecom-text", "type": "wecom", "url_env": "ACORN_WECOM_URL", "format": "text"},
                                  {"name": "wecom-md", "type": "wecom", "url_env": "ACORN_WECOM_URL"}))
    assert report.sent == {"wecom-text": 3, "wecom-md": 3}
    text, markdown = server.requests
    assert text.path == f"/cgi-bin/webhook/send?key={TOKEN}"
    assert text.body == {"msgtype": "text", "text": {"content": ZH_TEXT}}
    assert set(markdown.body) == {"msgtype", "markdown"} and markdown.body["msgtype"] == "markdown"
    content = markdown.body["markdown"]["content"]
    assert content.startswith("### ACORN 资金风险告警：3 条新告警\n> 生成时间 2026-12-01 21:00 UTC\n\n"
                              "**1. [高] 单日净亏损超过阈值 · 店铺 acme-us · 金额 612.40 USD**\n")
    assert all(f"`{alert_id}`" in content for alert_id in OPEN_IDS)
    assert len(content.encode()) <= 4096  # 企业微信's markdown limit


def test_dingtalk_markdown_with_the_signed_url(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_DING_URL", f"{server.url}/robot/send?access_token={TOKEN}")
    monkeypatch.setenv("ACORN_DING_SECRET", SIGNING)
    run(settings, config({"name": "ding", "type": "dingtalk", "url_env": "ACORN_DING_URL", "secret_env": "ACORN_DING_SECRET"}))
    (request,) = server.requests
    query = parse_qs(urlsplit(request.path).query)
    timestamp = "1764622800123"  # milliseconds
    expected = base64.b64encode(hmac.new(SIGNING.encode(), f"{timestamp}\n{SIGNING}".encode(), hashlib.sha256).digest())
    assert query == {"access_token": [TOKEN], "timestamp": [timestamp], "sign": [expected.decode()]}
    assert request.body["msgtype"] == "markdown"
    assert request.body["markdown"]["title"] == "ACORN 资金风险告警：3 条新告警"
    assert "**1. [高] 单日净亏损超过阈值 · 店铺 acme-us · 金额 612.40 USD**\n\n" in request.body["markdown"]["text"]


def test_feishu_post_with_signature_and_plain_text(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_FS_URL", f"{server.url}/open-apis/bot/v2/hook/{TOKEN}")
    monkeypatch.setenv("ACORN_FS_SECRET", SIGNING)
    server.default = (200, {"code": 0, "msg": "success", "data": {}})
    run(settings, config({"name": "fs", "type": "feishu", "url_env": "ACORN_FS_URL", "secret_env": "ACORN_FS_SECRET"},
                         {"name": "fs-text", "type": "feishu", "url_env": "ACORN_FS_URL", "format": "text",
                          "language": "en"}))
    post, text = (r.body for r in server.requests)
    sign = base64.b64encode(hmac.new(f"1764622800\n{SIGNING}".encode(), b"", hashlib.sha256).digest()).decode()
    assert post["timestamp"] == "1764622800" and post["sign"] == sign
    assert post["msg_type"] == "post"
    zh = post["content"]["post"]["zh_cn"]
    assert zh["title"] == "ACORN 资金风险告警：3 条新告警"
    assert zh["content"][2] == [{"tag": "text", "text": "1. [高] 单日净亏损超过阈值 · 店铺 acme-us · 金额 612.40 USD"}]
    assert set(text) == {"msg_type", "content"} and text["msg_type"] == "text"
    assert text["content"]["text"].splitlines()[:4] == [
        "ACORN money at risk: 3 new alert(s)", "Generated 2026-12-01 21:00 UTC", "",
        "1. [high] daily_net_loss · store acme-us · amount 612.40 USD",
    ]
    assert "   Next step: Check the day's refunds, claims and fees" in text["content"]["text"]


def test_generic_webhook_carries_every_alert_as_data_with_exact_amounts(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_HOOK_URL", f"{server.url}/hook")
    monkeypatch.setenv("ACORN_HOOK_AUTH", f"Bearer {TOKEN}")
    server.default = (204, {})
    run(settings, config({"name": "erp", "type": "webhook", "url_env": "ACORN_HOOK_URL",
                          "headers_env": {"Authorization": "ACORN_HOOK_AUTH"}}))
    (request,) = server.requests
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Idempotency-Key"] == request.body["dedup_key"]
    body = request.body
    assert [a["alert_id"] for a in body["alerts"]] == OPEN_IDS
    assert body["alerts"][0] == {
        "alert_id": SELLER_LOSS["alert_id"], "domain": "seller", "rule": "daily_net_loss", "severity": "high",
        "store_id": "acme-us", "account_id": None, "vendor_code": None, "subject": "acme-us 2026-01-05",
        "amount": "612.40", "currency": "USD", "raised_on": "2026-01-05", "first_seen_at": "2026-01-06T06:00:00",
        "message": SELLER_LOSS["message"], "message_zh": SELLER_LOSS["message_zh"],
        "next_step": "核对当天的退款、索赔和费用明细",
    }
    assert body["text"] == ZH_TEXT and body["source"] == "acorn" and body["language"] == "zh"


def test_a_repeated_run_sends_nothing_new_and_a_new_alert_alone(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_WECOM_URL", f"{server.url}/send?key={TOKEN}")
    cfg = config({"name": "wecom", "type": "wecom", "url_env": "ACORN_WECOM_URL"})
    assert run(settings, cfg).sent == {"wecom": 3}
    assert run(settings, cfg, now=NOW + timedelta(days=1)).sent == {"wecom": 0}
    assert len(server.requests) == 1
    con = duckdb.connect(str(settings.warehouse))
    con.execute("insert into marts.fct_alerts (alert_id, domain, alert_type, severity, store_id, amount, currency, "
                "message) values ('seller:chargeback:acme-us:222-2', 'seller', 'chargeback', 'high', 'acme-us', "
                "45.00, 'USD', 'Chargeback on 222-2')")
    con.close()
    assert run(settings, cfg, now=NOW + timedelta(days=2)).sent == {"wecom": 1}
    assert "seller:chargeback:acme-us:222-2" in server.requests[-1].body["markdown"]["content"]
    assert SELLER_LOSS["alert_id"] not in server.requests[-1].body["markdown"]["content"]
    assert [row[3] for row in deliveries(settings)] == ["sent"] * 4


class Crash(BaseException):
    """The process dying between the claim and the record of the outcome (kill -9, power loss)."""


def test_a_run_killed_between_claim_and_send_is_resent_once_the_claim_is_stale(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_WECOM_URL", f"{server.url}/send?key={TOKEN}")
    cfg = config({"name": "wecom", "type": "wecom", "url_env": "ACORN_WECOM_URL"}, stale_claim_minutes=15)

    def crash(*_args, **_kwargs):
        raise Crash()

    with pytest.raises(Crash):
        run(settings, cfg, sender=crash)
    assert {row[3] for row in deliveries(settings)} == {"claimed"}
    # Minutes later the claim may still be in flight elsewhere: not sent twice.
    assert run(settings, cfg, now=NOW + timedelta(minutes=5)).sent == {"wecom": 0}
    assert server.requests == []
    # Once stale it is sent, with the alert ids a receiver deduplicates on.
    assert run(settings, cfg, now=NOW + timedelta(minutes=16)).sent == {"wecom": 3}
    assert run(settings, cfg, now=NOW + timedelta(minutes=60)).sent == {"wecom": 0}
    assert len(server.requests) == 1
    assert all(alert_id in server.requests[0].body["markdown"]["content"] for alert_id in OPEN_IDS)
    assert [(r[2], r[3]) for r in deliveries(settings) if r[0] == SELLER_LOSS["alert_id"]] == [(1, "claimed"), (2, "sent")]


def test_a_failing_channel_is_retried_with_backoff_and_logged(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_DING_URL", f"{server.url}/robot/send?access_token={TOKEN}")
    server.responses = [(502, {"error": "bad gateway"}), (200, {"errcode": 310000, "errmsg": "sign not match"})]
    sleeps: list[float] = []
    report = run(settings, config({"name": "ding", "type": "dingtalk", "url_env": "ACORN_DING_URL"}), sleeps=sleeps)
    assert report.sent == {"ding": 3} and report.failed == {}
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]  # exponential: backoff_seconds x 1, x 2
    rows = [r for r in deliveries(settings) if r[0] == SELLER_LOSS["alert_id"]]
    assert rows == [
        (SELLER_LOSS["alert_id"], "ding", 1, "failed", 'HTTP 502: {"error": "bad gateway"}', False),
        (SELLER_LOSS["alert_id"], "ding", 2, "failed", "dingtalk refused the message: code 310000 sign not match", False),
        (SELLER_LOSS["alert_id"], "ding", 3, "sent", None, True),
    ]


def test_a_channel_that_keeps_failing_never_raises_and_leaks_no_secret(settings, server, monkeypatch, caplog, capsys):
    monkeypatch.setenv("ACORN_HOOK_URL", f"{server.url}/hook/{TOKEN}")
    monkeypatch.setenv("ACORN_HOOK_AUTH", TOKEN)
    # A server that echoes what it got (the URL) in its error, and one that cannot be reached at all.
    server.default = (500, {"error": f"no route for /hook/{TOKEN}"})
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        dead_port = free.getsockname()[1]
    monkeypatch.setenv("ACORN_DEAD_URL", f"http://127.0.0.1:{dead_port}/x?key={TOKEN}")
    caplog.set_level(logging.DEBUG)
    report = run(settings, config({"name": "erp", "type": "webhook", "url_env": "ACORN_HOOK_URL",
                                   "headers_env": {"X-Token": "ACORN_HOOK_AUTH"}},
                                  {"name": "dead", "type": "wecom", "url_env": "ACORN_DEAD_URL"}))
    assert set(report.failed) == {"erp", "dead"} and report.sent == {"erp": 0, "dead": 0}
    rows = deliveries(settings)
    assert len(rows) == 2 * 3 * 3 and {r[3] for r in rows} == {"failed"}
    everything = json.dumps([list(map(str, r)) for r in rows]) + caplog.text + capsys.readouterr().out \
        + "\n".join(report.lines())
    assert "***" in everything
    assert TOKEN not in everything


def test_email_goes_over_starttls_with_login(settings, tmp_path, monkeypatch):
    cert, key = self_signed_certificate(tmp_path)
    received: list[bytes] = []
    logins: list[tuple[bytes, bytes]] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.content)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"smtp-" + TOKEN.encode())

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=server_tls_context(cert, key),
                            require_starttls=True, authenticator=authenticator, auth_required=True)
    controller.start()
    try:
        monkeypatch.setenv("ACORN_SMTP_USER", "acorn")
        monkeypatch.setenv("ACORN_SMTP_PASSWORD", f"smtp-{TOKEN}")
        cfg = config({"name": "mail", "type": "email", "host": "127.0.0.1", "port": port, "from": "acorn@example.com",
                      "to": ["finance@example.com", "boss@example.com"], "ca_file": str(cert),
                      "username_env": "ACORN_SMTP_USER", "password_env": "ACORN_SMTP_PASSWORD"})
        assert run(settings, cfg).sent == {"mail": 3}
        assert run(settings, cfg).sent == {"mail": 0}
    finally:
        controller.stop()
    assert logins == [(b"acorn", f"smtp-{TOKEN}".encode())]
    (raw,) = received
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == "ACORN 资金风险告警：3 条新告警"
    assert mail["To"] == "finance@example.com, boss@example.com"
    assert mail["X-ACORN-Alert-Ids"] == ", ".join(OPEN_IDS)
    assert mail["Message-ID"].startswith("<acorn-") and mail["Message-ID"].endswith("@acorn.alerts>")
    assert mail.get_content().rstrip("\n") == ZH_TEXT


def test_email_refuses_a_server_without_starttls(settings, monkeypatch):
    class Handler:
        async def handle_DATA(self, server, session, envelope):
            raise AssertionError("nothing may be sent in clear")

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = run(settings, config({"name": "mail", "type": "email", "host": "127.0.0.1", "port": port,
                                       "from": "a@example.com", "to": "b@example.com"}))
    finally:
        controller.stop()
    assert "STARTTLS" in report.failed["mail"]


def test_groups_of_at_most_n_alerts_and_min_severity(settings, server, monkeypatch):
    monkeypatch.setenv("ACORN_WECOM_URL", f"{server.url}/send")
    run(settings, config({"name": "all", "type": "wecom", "url_env": "ACORN_WECOM_URL", "format": "text"},
                         {"name": "high", "type": "wecom", "url_env": "ACORN_WECOM_URL", "format": "text",
                          "min_severity": "high"}, max_alerts_per_message=2))
    titles = [r.body["text"]["content"].splitlines()[0] for r in server.requests]
    assert titles == ["ACORN 资金风险告警：3 条新告警（第 1/2 批）", "ACORN 资金风险告警：3 条新告警（第 2/2 批）",
                      "ACORN 资金风险告警：1 条新告警"]


def test_config_names_secrets_and_never_holds_them(tmp_path, settings):
    with pytest.raises(NotifyConfigError, match="`url` is a secret"):
        parse_notify_config({"channels": [{"type": "wecom", "url": "https://qyapi.weixin.qq.com/?key=x"}]})
    path = tmp_path / "notify.yaml"
    path.write_text("language: en\nchannels:\n  - {name: ops, type: dingtalk, url_env: ACORN_NOT_SET_ANYWHERE}\n")
    cfg = load_notify_config(path)
    assert cfg.language == "en" and cfg.channels[0].language == "en"
    report = notify(settings, cfg)
    assert report.problems == ["channel ops: environment variable(s) ACORN_NOT_SET_ANYWHERE not set"]
    json_path = tmp_path / "notify.json"
    json_path.write_text(json.dumps({"channels": [{"type": "telegram", "url_env": "X"}]}))
    with pytest.raises(NotifyConfigError, match="type must be one of email, wecom, dingtalk, feishu, webhook"):
        load_notify_config(json_path)


def test_redact_hides_plain_and_url_encoded_secrets():
    assert channels.redact("GET /x?key=a+b%2Fc and a b/c", {"K": "a b/c"}) == "GET /x?key=*** and ***"


def test_wecom_text_stays_within_its_2048_bytes(tmp_path, server, monkeypatch):
    many = [{**SELLER_LOSS, "alert_id": f"seller:daily_net_loss:acme-us:2026-01-{day:02d}"} for day in range(1, 21)]
    settings = Settings(warehouse=build_alerts_warehouse(tmp_path / "acorn.duckdb", many), archive_dir=tmp_path / "a")
    monkeypatch.setenv("ACORN_WECOM_URL", f"{server.url}/send")
    report = run(settings, config({"name": "wecom", "type": "wecom", "url_env": "ACORN_WECOM_URL", "format": "text"}))
    assert report.sent == {"wecom": 20}
    sizes = [len(r.body["text"]["content"].encode()) for r in server.requests]
    assert len(sizes) > 2 and max(sizes) <= 2048
