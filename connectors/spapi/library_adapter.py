"""Every use of python-amazon-sp-api internals, in one place, checked against the version pinned in pyproject.

`tests/connectors/test_spapi_library_adapter.py` fails when the installed version is not `CHECKED_VERSION`: re-read
the library's source for each item below, then move the pin.

- The access-token cache: the library keeps LWA tokens in a module-level TTLCache keyed by
  `sp_api.auth._core.build_cache_key(refresh_token)` and never notices that Amazon has expired one early; it has no
  public way to forget a token.
- Finances Invoices 2026-06-25 (vendor invoices and their settlement): the library has no client for it and no
  public generic request method, so `FinancesInvoices` is written the way the library writes its own clients
  (`@sp_endpoint` methods calling `Client._request`).
"""
from __future__ import annotations

from sp_api.auth import access_token_client
from sp_api.auth._core import build_cache_key
from sp_api.base import ApiResponse, Client, fill_query_params, sp_endpoint

CHECKED_VERSION = "2.1.35"


def forget_access_token(refresh_token: str) -> None:
    """Drop the cached access token of `refresh_token`, so the next request asks LWA for a fresh one."""
    access_token_client.cache.pop(build_cache_key(refresh_token), None)


class FinancesInvoices(Client):
    """Finances Invoices API 2026-06-25: getInvoiceHeaders and getInvoice (line items paged on their own token)."""

    @sp_endpoint("/finances/invoices/2026-06-25/invoices")
    def get_invoice_headers(self, **kwargs) -> ApiResponse:
        return self._request(kwargs.pop("path"), params=kwargs, add_marketplace=False)

    @sp_endpoint("/finances/invoices/2026-06-25/invoices/{}")
    def get_invoice(self, invoice_identifier: str, **kwargs) -> ApiResponse:
        response = self._request(fill_query_params(kwargs.pop("path"), invoice_identifier), params=kwargs,
                                 add_marketplace=False)
        # Line items page on `nextTokenForLineItems`; exposing it as the response's next token lets the library's
        # `load_all_pages` follow it like any other listing.
        response.next_token = (response.payload or {}).get("nextTokenForLineItems")
        return response
