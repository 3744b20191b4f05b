"""python-amazon-sp-api clients for one account, pointed at Amazon or at any endpoint (the local fake)."""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from sp_api.api import Finances, Reports
from sp_api.auth import AccessTokenClient
from sp_api.base import Client

from connectors.spapi.accounts import Account
from connectors.spapi.library_adapter import forget_access_token

REGION_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
LWA_URL = "https://api.amazon.com/auth/o2/token"
C = TypeVar("C", bound=Client)


@dataclass(frozen=True)
class Endpoint:
    # python-amazon-sp-api only reads these three attributes of its `Marketplaces` enum.
    endpoint: str
    marketplace_id: str
    region: str


@cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context of the process's clients: the one httpx would build for each (`verify=True`).

    python-amazon-sp-api gives every client and its token client an httpx client of their own, and httpx loads the
    CA bundle into a new context for each: about 50 ms of CPU a client, seconds for an account's dozen.
    """
    return httpx.create_ssl_context()


def token_client_class(lwa_url: str) -> type[AccessTokenClient]:
    """An AccessTokenClient subclass posting to `lwa_url` (scheme, host and path taken from it)."""
    parts = urlsplit(lwa_url)
    return type(
        "LwaTokenClient",
        (AccessTokenClient,),
        {"scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/auth/o2/token"},
    )


class ClientFactory:
    """Builds python-amazon-sp-api clients of one account, all aimed at the same endpoint and LWA URL."""

    def __init__(self, account: Account, *, endpoint: str | None = None, lwa_url: str = LWA_URL,
                 timeout: float = 60.0):
        self.marketplace = Endpoint(endpoint or REGION_ENDPOINTS[account.region],
                                    account.stores[0].marketplace_id if account.stores else "", account.region)
        self.common: dict[str, Any] = dict(marketplace=self.marketplace, credentials=account.sp_api_credentials(),
                                           timeout=timeout, auth_token_client_class=token_client_class(lwa_url),
                                           verify=tls_context())

    def build(self, client_class: type[C], **kwargs: Any) -> C:
        client = client_class(**self.common, **kwargs)
        # SP_API_DEFAULT_MARKETPLACE in the environment would otherwise override `marketplace=`.
        client.endpoint = self.marketplace.endpoint
        client.marketplace_id = self.marketplace.marketplace_id
        return client


@dataclass
class AccountClients:
    account: Account
    reports: Reports
    finances_v0: Finances
    finances_2024: Finances

    def refresh_access_token(self) -> None:
        """Forget the cached access token so the next request asks LWA for a fresh one."""
        forget_access_token(self.account.refresh_token.value)

    def close(self) -> None:
        for client in (self.reports, self.finances_v0, self.finances_2024):
            client.close()


def build_clients(
    account: Account, *, endpoint: str | None = None, lwa_url: str = LWA_URL, timeout: float = 60.0
) -> AccountClients:
    factory = ClientFactory(account, endpoint=endpoint, lwa_url=lwa_url, timeout=timeout)
    return AccountClients(account, factory.build(Reports), factory.build(Finances),
                          factory.build(Finances, version="2024-06-19"))
