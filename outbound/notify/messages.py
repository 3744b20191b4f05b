"""The text people read: one message per group of a run's alerts, Chinese by default, English on request.

Each alert says what happened (message_zh, else the English message), how much and in which currency, which store
or vendor account, and what to do next; its alert_id is printed too, the key a receiver deduplicates on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from outbound.notify.alerts import Alert

_ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "CLP", "ISK", "HUF", "TWD", "VND"}
SEVERITY_LABELS = {
    "zh": {"high": "高", "medium": "中", "low": "低"},
    "en": {"high": "high", "medium": "medium", "low": "low"},
}
# Names for the rules people see; a rule not listed shows its own name.
RULE_LABELS_ZH = {
    "daily_net_loss": "单日净亏损超过阈值",
    "refund_rate_spike": "退款率较基线上升",
    "a_to_z_claim": "新的亚马逊商城交易保障索赔（A-to-z）",
    "chargeback": "新的信用卡拒付（Chargeback）",
    "safet_deadline": "SAFE-T 索赔即将截止",
    "reimbursement_opportunity": "可申请的 FBA 赔偿",
    "settlement_mismatch": "结算报告不平",
    "deposit_missing": "回款未到账",
    "deposit_short": "回款金额不足",
    "unknown_fee_type": "未知费用类型",
    "authorization_expiring": "SP-API 授权即将过期",
    "report_columns_changed": "报告列发生变化",
    "source_not_synced": "数据源长时间未同步",
    "po_cancelled_after_acknowledgement": "确认后被取消的采购单",
    "po_changed_after_acknowledgement": "确认后被修改的采购单",
    "shipment_late": "发货逾期",
    "received_not_invoiced": "已收货未开票",
    "invoice_overdue": "发票逾期未付",
    "deduction_above_threshold": "扣款超过阈值",
}
# What to do next for the vendor rules, whose mart rows carry no next step; seller rules bring their own.
NEXT_STEPS = {
    "po_cancelled_after_acknowledgement": (
        "核对已备货数量，必要时在 Vendor Central 提出争议或调整生产计划",
        "Check the units already prepared; dispute in Vendor Central or adjust production"),
    "po_changed_after_acknowledgement": (
        "核对修改后的数量和成本，必要时重新确认采购单",
        "Check the changed quantities and costs; re-acknowledge the PO if needed"),
    "shipment_late": (
        "联系物流确认入库时间，避免亚马逊扣款",
        "Confirm the delivery appointment with the carrier to avoid chargebacks"),
    "received_not_invoiced": (
        "用 `acorn vendor-invoices` 为已收货的数量开票",
        "Invoice the received units with `acorn vendor-invoices`"),
    "invoice_overdue": (
        "在 Vendor Central 查询付款状态，必要时提交付款争议",
        "Check the payment status in Vendor Central; open a payment dispute if needed"),
    "deduction_above_threshold": (
        "在 Vendor Central 核对扣款依据，不合理的提交争议",
        "Check the deduction's backup in Vendor Central and dispute it if unfounded"),
}
_TEXT = {
    "zh": {
        "title": "ACORN 资金风险告警：{n} 条新告警",
        "part": "（第 {i}/{k} 批）",
        "generated": "生成时间 {at} UTC",
        "store": "店铺", "vendor": "供应商账户", "amount": "金额", "next": "下一步", "id": "告警编号",
        "fallback_next": "在 ACORN 的“资金风险”页面查看证据，处理后确认或解决此告警。",
        "footer": "每条告警只发送一次；在“资金风险”页面确认或解决。",
    },
    "en": {
        "title": "ACORN money at risk: {n} new alert(s)",
        "part": " (part {i}/{k})",
        "generated": "Generated {at} UTC",
        "store": "store", "vendor": "vendor account", "amount": "amount", "next": "Next step", "id": "Alert id",
        "fallback_next": "Review the evidence on ACORN's Money at risk page, then acknowledge or resolve the alert.",
        "footer": "Each alert is sent once; acknowledge or resolve it on the Money at risk page.",
    },
}


@dataclass(frozen=True)
class Message:
    """One message of a run, in one language: a title, plain text, and Markdown for the robots that render it."""

    title: str
    text: str
    markdown: str
    alerts: tuple[Alert, ...]
    language: str


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    places = 0 if currency in _ZERO_DECIMAL_CURRENCIES else 2
    return f"{amount:,.{places}f} {currency or ''}".strip()


def rule_label(alert: Alert, language: str) -> str:
    rule = alert.alert_type or "alert"
    return RULE_LABELS_ZH.get(rule, rule) if language == "zh" else rule


def what_happened(alert: Alert, language: str) -> str:
    if language == "zh" and alert.message_zh:
        return alert.message_zh
    return alert.message or alert.message_zh or ""


def next_step(alert: Alert, language: str) -> str:
    step = alert.next_step_zh if language == "zh" else alert.next_step_en
    default = NEXT_STEPS.get(alert.alert_type or "")
    return step or (default[0 if language == "zh" else 1] if default else _TEXT[language]["fallback_next"])


def account(alert: Alert, language: str) -> str:
    words = _TEXT[language]
    if alert.store_id:
        return f"{words['store']} {alert.store_id}"
    who = alert.vendor_code or alert.account_id
    where = f" ({alert.marketplace_name})" if alert.marketplace_name else ""
    return f"{words['vendor']} {who}{where}" if who else where.strip(" ()")


def compose(alerts: list[Alert], language: str, generated_at: datetime, part: int = 1, parts: int = 1,
            total: int | None = None) -> Message:
    words = _TEXT[language]
    title = words["title"].format(n=total if total is not None else len(alerts))
    if parts > 1:
        title += words["part"].format(i=part, k=parts)
    generated = words["generated"].format(at=generated_at.strftime("%Y-%m-%d %H:%M"))
    text_lines, md_lines = [title, generated, ""], [f"### {title}", f"> {generated}", ""]
    severity = SEVERITY_LABELS[language]
    for number, alert in enumerate(alerts, start=1):
        level = severity.get(alert.severity or "", alert.severity or "")
        head = f"[{level}] {rule_label(alert, language)} · {account(alert, language)} · " \
               f"{words['amount']} {money(alert.amount, alert.currency)}"
        body = what_happened(alert, language)
        step = f"{words['next']}：{next_step(alert, language)}" if language == "zh" else \
               f"{words['next']}: {next_step(alert, language)}"
        key = f"{words['id']}：{alert.alert_id}" if language == "zh" else f"{words['id']}: {alert.alert_id}"
        text_lines += [f"{number}. {head}", f"   {body}", f"   {step}", f"   {key}", ""]
        md_lines += [f"**{number}. {head}**", f"{body}", f"{step}", f"`{alert.alert_id}`", ""]
    text_lines.append(words["footer"])
    md_lines.append(words["footer"])
    return Message(title, "\n".join(text_lines), "\n".join(md_lines), tuple(alerts), language)
