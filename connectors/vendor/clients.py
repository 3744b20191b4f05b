"""python-amazon-sp-api clients of one vendor account, built like the seller ones (`connectors.spapi.clients`)."""
from __future__ import annotations

from dataclasses import dataclass

from sp_api.api import VendorInvoices, VendorOrders, VendorTransactionStatus
from sp_api.auth import access_token_client as token_module
from sp_api.auth._core import build_cache_key
from sp_api.base import Client

from connectors.spapi.accounts import Account
from connectors.spapi.clients import LWA_URL, REGION_ENDPOINTS, _Marketplace, token_client_class


@dataclass
class VendorClients:
    account: Account
    orders: VendorOrders
    invoices: VendorInvoices
    transactions: VendorTransactionStatus
    requests: Client        # for APIs the library does not wrap (Finances Invoices 2026-06-25): `_request`

    def refresh_access_token(self) -> None:
        """Forget the cached access token (see `AccountClients.refresh_access_token`)."""
        token_module.cache.pop(build_cache_key(self.account.refresh_token.value), None)

    def close(self) -> None:
        for client in (self.orders, self.invoices, self.transactions, self.requests):
            client.close()


def build_vendor_clients(account: Account, *, endpoint: str | None = None, lwa_url: str = LWA_URL,
                         timeout: float = 60.0) -> VendorClients:
    endpoint = endpoint or REGION_ENDPOINTS[account.region]
    marketplace = _Marketplace(endpoint, account.stores[0].marketplace_id if account.stores else "", account.region)
    common = dict(marketplace=marketplace, credentials=account.sp_api_credentials(), timeout=timeout,
                  auth_token_client_class=token_client_class(lwa_url))
    clients = [VendorOrders(**common), VendorInvoices(**common), VendorTransactionStatus(**common), Client(**common)]
    for client in clients:
        # SP_API_DEFAULT_MARKETPLACE in the environment would otherwise override `marketplace=`.
        client.endpoint = marketplace.endpoint
        client.marketplace_id = marketplace.marketplace_id
    return VendorClients(account, *clients)
