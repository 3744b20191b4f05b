"""python-amazon-sp-api clients for one account, pointed at Amazon or at any endpoint (the local fake)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sp_api.api import Finances, Reports
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as token_module
from sp_api.auth._core import build_cache_key

from connectors.spapi.accounts import Account

REGION_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
LWA_URL = "https://api.amazon.com/auth/o2/token"


@dataclass(frozen=True)
class _Marketplace:
    # python-amazon-sp-api only reads these three attributes of its `Marketplaces` enum.
    endpoint: str
    marketplace_id: str
    region: str


def token_client_class(lwa_url: str) -> type[AccessTokenClient]:
    """An AccessTokenClient subclass posting to `lwa_url` (scheme, host and path taken from it)."""
    parts = urlsplit(lwa_url)
    return type(
        "LwaTokenClient",
        (AccessTokenClient,),
        {"scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/auth/o2/token"},
    )


@dataclass
class AccountClients:
    account: Account
    reports: Reports
    finances_v0: Finances
    finances_2024: Finances

    def refresh_access_token(self) -> None:
        """Forget the cached access token so the next request asks LWA for a fresh one.

        python-amazon-sp-api caches tokens in a module-level TTLCache keyed by refresh token and never
        notices that Amazon has expired one early.
        """
        token_module.cache.pop(build_cache_key(self.account.refresh_token.value), None)

    def close(self) -> None:
        for client in (self.reports, self.finances_v0, self.finances_2024):
            client.close()


def build_clients(
    account: Account, *, endpoint: str | None = None, lwa_url: str = LWA_URL, timeout: float = 60.0
) -> AccountClients:
    endpoint = endpoint or REGION_ENDPOINTS[account.region]
    marketplace = _Marketplace(endpoint, account.stores[0].marketplace_id if account.stores else "", account.region)
    common = dict(
        marketplace=marketplace,
        credentials=account.sp_api_credentials(),
        timeout=timeout,
        auth_token_client_class=token_client_class(lwa_url),
    )
    clients = [Reports(**common), Finances(**common), Finances(version="2024-06-19", **common)]
    for client in clients:
        # SP_API_DEFAULT_MARKETPLACE in the environment would otherwise override `marketplace=`.
        client.endpoint = marketplace.endpoint
        client.marketplace_id = marketplace.marketplace_id
    return AccountClients(account, *clients)
