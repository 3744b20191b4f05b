"""The one module touching python-amazon-sp-api internals, checked against the version it was read for.

Its Finances Invoices client (line items paged on their own token) is exercised by tests/connectors/test_vendor_sync.py."""
from __future__ import annotations

import importlib.metadata

from sp_api.api import Reports

from connectors.spapi import library_adapter
from connectors.spapi.accounts import Account, Secret, Store
from connectors.spapi.clients import ClientFactory
from demo.fake_spapi import FakeData, FakeSeller, FakeSpApi

SELLER = FakeSeller("A1SELLER", "NA", "Atzr|adapter-refresh-0001", "amzn1.application-oa2-client.ad01",
                    "amzn1.oa2-cs.v1.adapter-secret")


def test_the_adapter_was_checked_against_the_installed_sp_api():
    installed = importlib.metadata.version("python-amazon-sp-api")
    assert installed == library_adapter.CHECKED_VERSION == "2.1.35", (
        f"python-amazon-sp-api is {installed}, the adapter was checked against {library_adapter.CHECKED_VERSION}: "
        "re-read connectors/spapi/library_adapter.py against the new version's source (token cache key, "
        "Client._request), then move CHECKED_VERSION and this pin.")


def test_forgetting_the_access_token_makes_the_next_request_ask_lwa_again():
    account = Account("acct", "NA", SELLER.seller_id, (Store("s", "ATVPDKIKX0DER", "Amazon.com", "USD"),),
                      Secret(SELLER.refresh_token), Secret(SELLER.lwa_app_id), Secret(SELLER.lwa_client_secret))
    with FakeSpApi(FakeData(sellers=[SELLER], stores=[])) as server:
        client = ClientFactory(account, endpoint=server.url, lwa_url=server.lwa_url).build(Reports)
        try:
            first = client.auth.access_token
            assert client.auth.access_token == first          # the library's cache answered
            library_adapter.forget_access_token(SELLER.refresh_token)
            assert client.auth.access_token != first          # LWA issued a new one
        finally:
            client.close()
