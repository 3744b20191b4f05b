"""The stores the generator can simulate: Amazon account facts plus each marketplace's file conventions."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class StoreProfile:
    store_id: str
    seller_id: str
    marketplace_id: str
    marketplace_name: str
    currency: str
    time_zone: str
    # How this marketplace writes its settlement files (docs/architecture.md, "Store formats").
    encoding: str                      # "utf-8-sig" writes the BOM
    line_end: str
    decimal_comma: bool                # 1.234,56 rather than 1234.56
    date_format: str                   # strftime of the date part of settlement dates and posted-date-time (UTC)
    posted_date_format: str            # strftime of posted-date (store-local date)
    promotion_id_column: bool          # the undocumented 24th column seen in the wild
    # Money conventions of the marketplace.
    minor_unit: Decimal
    scale: Decimal                     # roughly one USD in this currency, for fees not tied to a price
    tax_rates: tuple[Decimal, ...]     # US sales tax collected and withheld by Amazon; empty = VAT-inclusive prices
    shipping_charge: Decimal           # what a buyer pays for non-Prime shipping
    default_commission: Decimal
    refund_commission_cap: Decimal
    subscription_fee: Decimal
    order_id_prefixes: tuple[str, ...]
    seller_sku_prefix: str
    promotion_ids: tuple[str, ...]
    # Where the money lands.
    bank_account: str
    bank_counterparty: str
    bank_reference: str                # str.format template: settlement_id, deposit_date
    bank_fee: Decimal

    @property
    def decimals(self) -> int:
        return -self.minor_unit.as_tuple().exponent

    def minor(self, amount: Decimal) -> int:
        """An amount in this currency as an integer of its minor unit (cents, yen)."""
        scaled = amount.scaleb(self.decimals)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} is finer than the {self.currency} minor unit")
        return int(scaled)


STORE_PROFILES: dict[str, StoreProfile] = {
    "acme-us": StoreProfile(
        store_id="acme-us",
        seller_id="A2ACRN7US4K7QZ",
        marketplace_id="ATVPDKIKX0DER",
        marketplace_name="Amazon.com",
        currency="USD",
        time_zone="America/Los_Angeles",
        encoding="utf-8",
        line_end="\n",
        decimal_comma=False,
        date_format="%Y-%m-%d",
        posted_date_format="%m/%d/%y",
        promotion_id_column=False,
        minor_unit=Decimal("0.01"),
        scale=Decimal("1"),
        tax_rates=tuple(Decimal(r) for r in ("0", "0.06", "0.0625", "0.0725", "0.0825", "0.08875", "0.1025")),
        shipping_charge=Decimal("5.99"),
        default_commission=Decimal("0.15"),
        refund_commission_cap=Decimal("5.00"),
        subscription_fee=Decimal("39.99"),
        order_id_prefixes=("111", "112", "113", "114"),
        seller_sku_prefix="US-",
        promotion_ids=("US Core Free Shipping Promotion", "PLM-SUMMER10-US", "Coupon 15% off"),
        bank_account="USD-WORLDFIRST-01",
        bank_counterparty="AMAZON.COM SERVICES LLC",
        bank_reference="AMAZON.COM SERVICES LLC SETTLEMENT {settlement_id}",
        bank_fee=Decimal("15.00"),
    ),
    "acme-de": StoreProfile(
        store_id="acme-de",
        seller_id="A2ACRN7DE4K7QZ",
        marketplace_id="A1PA6795UKMFR9",
        marketplace_name="Amazon.de",
        currency="EUR",
        time_zone="Europe/Berlin",
        encoding="cp1252",
        line_end="\r\n",
        decimal_comma=True,
        date_format="%d.%m.%Y",
        posted_date_format="%d.%m.%Y",
        promotion_id_column=True,
        minor_unit=Decimal("0.01"),
        scale=Decimal("0.92"),
        tax_rates=(),
        shipping_charge=Decimal("3.99"),
        default_commission=Decimal("0.15"),
        refund_commission_cap=Decimal("5.00"),
        subscription_fee=Decimal("39.00"),
        order_id_prefixes=("028", "302", "303", "304", "305", "306"),
        seller_sku_prefix="DE-",
        # Non-ASCII on purpose: the file is cp1252, and a reader that assumes UTF-8 shows it.
        promotion_ids=("Sommer-Aktion 10 % für Trinkflaschen", "Gutschein 5 € Küche", "PLM-HERBST15-DE"),
        bank_account="EUR-WORLDFIRST-01",
        bank_counterparty="AMAZON PAYMENTS EUROPE SCA",
        bank_reference="AMAZON PAYMENTS EUROPE SCA {settlement_id}",
        bank_fee=Decimal("12.00"),
    ),
    "acme-jp": StoreProfile(
        store_id="acme-jp",
        seller_id="A2ACRN7JP4K7QZ",
        marketplace_id="A1VC38T7YXB528",
        marketplace_name="Amazon.co.jp",
        currency="JPY",
        time_zone="Asia/Tokyo",
        encoding="utf-8-sig",
        line_end="\n",
        decimal_comma=False,
        date_format="%Y-%m-%d",
        posted_date_format="%Y/%m/%d",
        promotion_id_column=True,
        minor_unit=Decimal("1"),
        scale=Decimal("150"),
        tax_rates=(),
        shipping_charge=Decimal("410"),
        default_commission=Decimal("0.10"),
        refund_commission_cap=Decimal("500"),
        subscription_fee=Decimal("4900"),
        order_id_prefixes=("249", "250", "503"),
        seller_sku_prefix="JP-FBA-",
        promotion_ids=("夏のセール 10%オフ", "PLM-AKI15-JP", "クーポン 300円"),
        bank_account="JPY-WORLDFIRST-01",
        bank_counterparty="AMAZON JAPAN G.K.",
        # Japanese payouts carry no settlement id: matching falls back to currency, date window and amount.
        bank_reference="AMAZON JP PAYOUT {deposit_date:%Y%m%d}",
        bank_fee=Decimal("1500"),
    ),
}


def profiles_for(store_ids: tuple[str, ...]) -> list[StoreProfile]:
    unknown = [s for s in store_ids if s not in STORE_PROFILES]
    if unknown:
        raise ValueError(f"unknown store(s) {unknown}; the generator knows {sorted(STORE_PROFILES)}")
    if not store_ids:
        raise ValueError("at least one store is needed")
    if len(set(store_ids)) != len(store_ids):
        raise ValueError(f"store ids repeat: {list(store_ids)}")
    return [STORE_PROFILES[s] for s in store_ids]
