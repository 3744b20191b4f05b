"""python-amazon-sp-api clients of one vendor account, built like the seller ones (`connectors.spapi.clients`)."""
from __future__ import annotations

from dataclasses import dataclass

from sp_api.api import VendorInvoices, VendorOrders, VendorShipments, VendorTransactionStatus

from connectors.spapi.accounts import Account
from connectors.spapi.clients import LWA_URL, ClientFactory
from connectors.spapi.library_adapter import FinancesInvoices, forget_access_token


@dataclass
class VendorClients:
    account: Account
    orders: VendorOrders
    invoices: VendorInvoices
    transactions: VendorTransactionStatus
    finances_invoices: FinancesInvoices
    shipments: VendorShipments

    def refresh_access_token(self) -> None:
        """Forget the cached access token (see `AccountClients.refresh_access_token`)."""
        forget_access_token(self.account.refresh_token.value)

    def close(self) -> None:
        for client in (self.orders, self.invoices, self.transactions, self.finances_invoices, self.shipments):
            client.close()


def build_vendor_clients(account: Account, *, endpoint: str | None = None, lwa_url: str = LWA_URL,
                         timeout: float = 60.0) -> VendorClients:
    factory = ClientFactory(account, endpoint=endpoint, lwa_url=lwa_url, timeout=timeout)
    return VendorClients(account, factory.build(VendorOrders), factory.build(VendorInvoices),
                         factory.build(VendorTransactionStatus), factory.build(FinancesInvoices),
                         factory.build(VendorShipments))
