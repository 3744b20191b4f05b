"""The seller money-at-risk reports of the demo world, and what a correct pipeline must raise from them.

Per store, three tab-separated reports as Amazon delivers them:
- `fba_reimbursements_<store>.txt` (GET_FBA_REIMBURSEMENTS_DATA): one row per FBA Inventory Reimbursement line
  the settlements carry (WAREHOUSE_DAMAGE, WAREHOUSE_LOST, CUSTOMER_RETURN, REVERSAL_REIMBURSEMENT), same amounts;
- `fba_customer_returns_<store>.txt` (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA): a return for every refunded
  order item, 2 to 20 days after its refund, unless that day lies after the store's last data day;
- `seller_returns_<store>.txt` (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE): the first store's two
  seller-fulfilled returns (one SAFE-T claim filed, one not).

Injected situations (each on a refund settled in a loaded settlement):
- refund_not_returned: in the first store, a refund older than 45 days with no return and no reimbursement;
- damaged_return_not_reimbursed: in the second store, a return CARRIER_DAMAGED and never reimbursed;
- safet_deadline: in the first store, a refunded seller-fulfilled return with no SAFE-T claim whose deadline
  (refund + 60 days) falls within 7 days after the demo's as-of day.

`expected_seller_alerts` then lists every seller alert the rules must raise, computed here from the simulated
lines (never from ACORN's parser or marts): those injected, the settlement ones the world already holds (daily
loss beyond the threshold, the latest week's refund-rate spike, recent A-to-z claims and chargebacks, reversed
reimbursements) and the deposit anomalies.
"""
from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from demo.generator.simulation import Settlement
from demo.generator.stores import StoreProfile

# The rule parameters the answer key assumes: dbt_project/seeds/alert_rules.csv and alert_rule_overrides.csv.
DAILY_LOSS_THRESHOLD = Decimal(500)
DAILY_LOSS_OVERRIDES = {"acme-jp": Decimal(75000)}
REFUND_SPIKE = Decimal("0.30")
REFUND_SPIKE_MIN_UNITS = 5
REFUND_SPIKE_WINDOW = 7
CLAIM_WINDOW = 21
SAFET_WINDOW = 7
UNRETURNED_DAYS = 45
SAFET_DAYS = 60
# The demo's as-of day (deadlines and ages are measured on it): the vendor world's, 136 days after the start.
RISK_AS_OF_DAYS = 136

REIMBURSEMENT_COLUMNS = (
    "approval-date", "reimbursement-id", "case-id", "amazon-order-id", "reason", "sku", "fnsku", "asin",
    "product-name", "condition", "currency-unit", "amount-per-unit", "amount-total", "quantity-reimbursed-cash",
    "quantity-reimbursed-inventory", "quantity-reimbursed-total", "original-reimbursement-id",
    "original-reimbursement-type",
)
RETURN_COLUMNS = (
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
    "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments",
)
SELLER_RETURN_COLUMNS = (
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID",
    "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID", "Label to be paid by",
    "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason",
    "In policy", "Return type", "Resolution", "Invoice number", "Return delivery date", "Order Amount",
    "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
    "SafeT claim reimbursement amount", "Refunded Amount",
)
_REASONS = {"WAREHOUSE_DAMAGE": "Damaged_Warehouse", "WAREHOUSE_LOST": "Lost_Warehouse",
            "CUSTOMER_RETURN": "CustomerReturn", "REVERSAL_REIMBURSEMENT": "Reimbursement_Reversal"}
_DISPOSITIONS = (("SELLABLE", "UNWANTED_ITEM"), ("SELLABLE", "NOT_AS_DESCRIBED"), ("SELLABLE", "APPARENT_DAMAGE"),
                 ("CUSTOMER_DAMAGED", "ORDERED_WRONG_ITEM"), ("DEFECTIVE", "DEFECTIVE"))
# Lines the fee taxonomy books to the balance sheet (sales tax, reserves, transfers): not in a day's net result.
_NOT_IN_PNL = {"Tax", "ShippingTax", "GiftWrapTax", "Previous Reserve Amount Balance", "Current Reserve Amount",
               "Payable to Amazon", "Successful charge"}
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Refund:
    order_id: str
    sku: str
    quantity: int
    principal: Decimal        # positive
    posted_at: datetime       # naive UTC
    refund_date: date         # store-local


@dataclass
class StoreFacts:
    """What the reports and the answer key need of one store's loaded settlements, gathered as they stream by."""

    profile: StoreProfile
    refunds: list[Refund] = field(default_factory=list)
    reimbursements: list[tuple[datetime, str, str, int, Decimal]] = field(default_factory=list)
    claims: dict[tuple[str, str], date] = field(default_factory=dict)       # (kind, order) -> first local day
    daily: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    weekly: dict[date, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # sold, refunded
    last_day: date | None = None

    def local(self, moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.profile.time_zone)).date()


class RiskFacts:
    def __init__(self) -> None:
        self.stores: dict[str, StoreFacts] = {}

    def observe(self, settlement: Settlement, loaded: bool) -> None:
        """Record a settlement's lines; a quarantined one still feeds the reimbursements report (Amazon's record)."""
        facts = self.stores.setdefault(settlement.profile.store_id, StoreFacts(settlement.profile))
        for line in settlement.lines():
            if line.amount_type == "FBA Inventory Reimbursement":
                facts.reimbursements.append((line.posted_at, line.amount_description, line.sku,
                                             int(line.quantity or 1), line.amount))
            if not loaded:
                continue
            day = facts.local(line.posted_at)
            facts.last_day = max(facts.last_day or day, day)
            in_pnl = not (line.amount_type == "ItemWithheldTax" or line.transaction_type.endswith("_Retrocharge")
                          or (line.amount_type in ("ItemPrice", "other-transaction")
                              and line.amount_description in _NOT_IN_PNL))
            if in_pnl:
                facts.daily[day] += line.amount
            if line.transaction_type in ("Chargeback Refund", "A-to-z Guarantee Claim"):
                key = ("chargeback" if line.transaction_type == "Chargeback Refund" else "a_to_z_claim", line.order_id)
                facts.claims[key] = min(facts.claims.get(key, day), day)
            if line.amount_type == "ItemPrice" and line.amount_description == "Principal":
                week = day - timedelta(days=day.weekday())
                if line.transaction_type == "Order":
                    facts.weekly[week][0] += int(line.quantity or 0)
                elif line.transaction_type == "Refund":
                    facts.weekly[week][1] += int(line.quantity or 0)
                    facts.refunds.append(Refund(line.order_id, line.sku, int(line.quantity or 1), -line.amount,
                                                line.posted_at, day))


@dataclass(frozen=True)
class RiskReports:
    files: dict[str, bytes]                  # file name -> bytes, also served by the local SP-API
    by_store: dict[str, dict[str, bytes]]    # store -> report type -> bytes
    alerts: list[dict[str, str]]             # the seller alerts a correct run raises (with the deposit ones added)
    injected: list[dict[str, str]]


def _tsv(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    return ("\t".join(columns) + "\n" + "".join("\t".join(row) + "\n" for row in rows)).encode("utf-8")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _money(amount: Decimal, profile: StoreProfile) -> str:
    return str(amount.quantize(profile.minor_unit))


def _ids(sku: str) -> tuple[str, str]:
    digest = hashlib.sha256(sku.encode()).hexdigest().upper()
    return "X00" + digest[:7], "B0" + digest[7:15]


def build_risk_reports(facts: RiskFacts, store_ids: list[str], as_of: date, seed: int) -> RiskReports:
    files: dict[str, bytes] = {}
    by_store: dict[str, dict[str, bytes]] = {}
    alerts: list[dict[str, str]] = []
    injected: list[dict[str, str]] = []
    first, second = store_ids[0], store_ids[1 % len(store_ids)]
    for store_id in store_ids:
        store = facts.stores[store_id]
        profile = store.profile
        rng = random.Random(f"acorn-generator:{seed}:{store_id}:risk")
        assert store.last_day is not None
        refunds = sorted(store.refunds, key=lambda r: (r.posted_at, r.order_id, r.sku))
        taken: set[str] = set()
        last_day = store.last_day

        def pick(condition: Callable[[Refund], bool], refunds: list[Refund] = refunds, taken: set[str] = taken,
                 rng: random.Random = rng) -> Refund | None:
            # A world too short to hold a fitting refund (a test's one-month world) gets no such situation.
            candidates = [r for r in refunds if r.order_id not in taken and condition(r)]
            if not candidates:
                return None
            chosen = rng.choice(candidates)
            taken.add(chosen.order_id)
            return chosen

        seller_rows: list[tuple[str, ...]] = []
        unreturned = safet = damaged = None
        if store_id == first:
            safet = pick(lambda r: as_of <= r.refund_date + timedelta(days=SAFET_DAYS) <= as_of + timedelta(days=SAFET_WINDOW))
            filed = pick(lambda r: r.refund_date + timedelta(days=SAFET_DAYS) > as_of)
            # Refunded 46+ days before the last day the returns report reaches (returns come within 20 days).
            unreturned = pick(lambda r: r.refund_date + timedelta(days=UNRETURNED_DAYS + 20) < last_day  # noqa: B023 (pick runs now)
                              and r.refund_date + timedelta(days=UNRETURNED_DAYS) < as_of)
            for refund, claim in ((safet, None), (filed, f"STC-{rng.randrange(10**6, 10**7)}")):
                if refund is None:
                    continue
                fnsku, asin = _ids(refund.sku)
                requested = refund.posted_at - timedelta(days=2)
                seller_rows.append((
                    refund.order_id, (requested - timedelta(days=9)).strftime("%Y-%m-%d"), requested.strftime("%Y-%m-%d"),
                    "Approved", f"D{rng.randrange(10**8, 10**9)}", "", "AmazonUnPaidLabel", "", profile.currency, "UPS",
                    f"1Z{rng.randrange(10**9, 10**10)}", "Seller", "N", "N", asin, refund.sku, refund.sku, str(refund.quantity),
                    "DEFECTIVE", "Y", "C-Returns", "StandardRefund", "", "", _money(refund.principal, profile),
                    str(refund.quantity), "Item not returned" if claim is None else "Returned item damaged",
                    claim or "", "Under review" if claim else "", _iso(refund.posted_at + timedelta(days=3)) if claim else "",
                    "", _money(refund.principal, profile),
                ))
            if safet:
                injected.append({"kind": "safet_deadline", "store_id": store_id, "order_id": safet.order_id,
                                 "refund_date": safet.refund_date.isoformat(),
                                 "filing_deadline": (safet.refund_date + timedelta(days=SAFET_DAYS)).isoformat()})
            if unreturned:
                injected.append({"kind": "refund_not_returned", "store_id": store_id, "order_id": unreturned.order_id,
                                 "sku": unreturned.sku, "refund_date": unreturned.refund_date.isoformat()})
        if store_id == second:
            damaged = pick(lambda r: r.posted_at.date() + timedelta(days=20) < last_day)  # noqa: B023
            if damaged:
                injected.append({"kind": "damaged_return_not_reimbursed", "store_id": store_id,
                                 "order_id": damaged.order_id, "sku": damaged.sku})

        return_rows = []
        seller_fulfilled = {row[0] for row in seller_rows}
        for refund in refunds:
            if (unreturned and refund is unreturned) or refund.order_id in seller_fulfilled:
                continue
            returned_at = refund.posted_at + timedelta(days=rng.randrange(2, 21), seconds=rng.randrange(86_400))
            if store.local(returned_at) > store.last_day:
                continue
            disposition, reason = (("CARRIER_DAMAGED", "DAMAGED_BY_CARRIER") if damaged and refund is damaged
                                   else _DISPOSITIONS[rng.randrange(len(_DISPOSITIONS))])
            fnsku, asin = _ids(refund.sku)
            return_rows.append((
                _iso(returned_at), refund.order_id, refund.sku, asin, fnsku, refund.sku, str(refund.quantity),
                rng.choice(("PHX3", "ONT8", "LEJ1", "NRT5")), disposition, reason,
                "Unit returned to inventory" if disposition == "SELLABLE" else "Unit disposed",
                f"LPN{rng.randrange(10**9, 10**10)}", "",
            ))
        return_rows.sort(key=lambda row: (row[0], row[1]))

        reimbursement_rows = []
        issued: list[tuple[str, str]] = []
        for posted_at, description, sku, quantity, amount in sorted(store.reimbursements):
            reimbursement_id = str(rng.randrange(10**9, 10**10))
            reason = _REASONS.get(description, description)
            original = ("", "")
            if description == "REVERSAL_REIMBURSEMENT":
                original = issued[-1] if issued else ("", "")
                alerts.append({"rule": "reimbursement_opportunity", "store_id": store_id,
                               "subject": f"reimbursement_reversed:{reimbursement_id}"})
            else:
                issued.append((reimbursement_id, reason))
            fnsku, asin = _ids(sku)
            signed = -quantity if amount < 0 else quantity
            reimbursement_rows.append((
                _iso(posted_at), reimbursement_id, "", "", reason, sku, fnsku, asin, sku, "NewItem", profile.currency,
                _money((amount / signed).quantize(_CENT, rounding=ROUND_HALF_UP), profile), _money(amount, profile),
                str(signed), "0", str(signed), *original,
            ))

        reports = {
            "GET_FBA_REIMBURSEMENTS_DATA": _tsv(REIMBURSEMENT_COLUMNS, reimbursement_rows),
            "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA": _tsv(RETURN_COLUMNS, return_rows),
        }
        files[f"fba_reimbursements_{store_id}.txt"] = reports["GET_FBA_REIMBURSEMENTS_DATA"]
        files[f"fba_customer_returns_{store_id}.txt"] = reports["GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"]
        if seller_rows:
            reports["GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"] = _tsv(SELLER_RETURN_COLUMNS, seller_rows)
            files[f"seller_returns_{store_id}.txt"] = reports["GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"]
        by_store[store_id] = reports
        alerts += _settlement_alerts(store)
    for situation in injected:
        if situation["kind"] == "safet_deadline":
            alerts.append({"rule": "safet_deadline", "store_id": situation["store_id"], "subject": situation["order_id"]})
        else:
            alerts.append({"rule": "reimbursement_opportunity", "store_id": situation["store_id"],
                           "subject": f"{situation['kind']}:{situation['order_id']}:{situation['sku']}"})
    return RiskReports(files, by_store, alerts, injected)


def _settlement_alerts(store: StoreFacts) -> list[dict[str, str]]:
    """The rules over settlement lines, evaluated on the simulated lines of the store's loaded settlements."""
    store_id = store.profile.store_id
    assert store.last_day is not None
    alerts = []
    threshold = DAILY_LOSS_OVERRIDES.get(store_id, DAILY_LOSS_THRESHOLD)
    for day, net in sorted(store.daily.items()):
        if -net > threshold:
            alerts.append({"rule": "daily_net_loss", "store_id": store_id, "subject": f"{store_id}:{day.isoformat()}"})
    for week, (sold, refunded) in sorted(store.weekly.items()):
        week_end = week + timedelta(days=6)
        if not (store.last_day - timedelta(days=REFUND_SPIKE_WINDOW) <= week_end < store.last_day):
            continue
        earlier = [store.weekly[week - timedelta(days=7 * n)] for n in range(1, 5) if week - timedelta(days=7 * n) in store.weekly]
        base_sold, base_refunded = sum(w[0] for w in earlier), sum(w[1] for w in earlier)
        if not sold or not base_sold or not base_refunded or refunded < REFUND_SPIKE_MIN_UNITS:
            continue
        if Decimal(refunded) / sold >= Decimal(base_refunded) / base_sold * (1 + REFUND_SPIKE):
            alerts.append({"rule": "refund_rate_spike", "store_id": store_id, "subject": f"{store_id}:{week.isoformat()}"})
    for (rule, order_id), opened in sorted(store.claims.items()):
        if opened > store.last_day - timedelta(days=CLAIM_WINDOW):
            alerts.append({"rule": rule, "store_id": store_id, "subject": order_id})
    return alerts
