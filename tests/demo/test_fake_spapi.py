"""The local SP-API serves the generator's world, built without ACORN's code: what the API-versus-file tests
(tests/demo/test_api_demo.py, tests/dbt/test_dbt_payment_events.py) rely on to test ACORN rather than itself."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from demo.fake_spapi import FakeData, fake_data_from_inbox
from demo.generator import ANSWER_KEY_NAME, GenerationResult, generate
from demo.generator.flatfile import columns_for, format_minor, format_timestamp
from demo.generator.world import SellerWorld, WorldArguments, arguments_of_inbox
from tests.helpers.paths import REPO

ACORN_PACKAGES = {"connectors", "orchestration", "outbound", "acorn"}
INDEPENDENT = ("demo/fake_spapi", "demo/generator")
ARGUMENTS = WorldArguments(seed=11, months=1, orders_per_day=3)


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):  # function-level imports included
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", INDEPENDENT)
def test_fake_and_generator_import_nothing_of_acorn(package: str) -> None:
    files = sorted((REPO / package).rglob("*.py"))
    assert len(files) >= 3
    offenders = {str(f.relative_to(REPO)): sorted(_imported_packages(f) & ACORN_PACKAGES) for f in files}
    assert {f: names for f, names in offenders.items() if names} == {}


def test_serving_a_generated_world_loads_no_acorn_module(tmp_path: Path) -> None:
    """At run time too: no import hidden in a function or a plugin reaches ACORN while the fake is built."""
    script = (
        "import sys; from pathlib import Path\n"
        "from demo.generator import generate\n"
        "from demo.fake_spapi import FakeSpApi, fake_data_from_inbox\n"
        "generate(Path(sys.argv[1]), seed=3, months=1, orders_per_day=2)\n"
        "data = fake_data_from_inbox(Path(sys.argv[1]), [])\n"
        "with FakeSpApi(data): pass\n"
        "print(len(data.events), sorted({m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "inbox")], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    events, loaded = done.stdout.split(" ", 1)
    assert int(events) > 100 and "demo" in loaded
    assert not ACORN_PACKAGES & set(json.loads(loaded.replace("'", '"')))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerationResult, FakeData, dict]:
    inbox = tmp_path_factory.mktemp("world") / "inbox"
    a = ARGUMENTS
    generated = generate(inbox, seed=a.seed, months=a.months, orders_per_day=a.orders_per_day)
    key = json.loads((inbox / ANSWER_KEY_NAME).read_text(encoding="utf-8"))
    return generated, fake_data_from_inbox(inbox, []), key


def test_the_answer_key_records_the_world_it_was_generated_from(served) -> None:
    generated, _, _ = served
    assert arguments_of_inbox(generated.out_dir) == ARGUMENTS


def test_report_documents_are_the_generated_files_byte_for_byte(served) -> None:
    generated, data, _ = served
    files = {s.settlement_id: (generated.out_dir / s.file_name).read_bytes() for s in generated.settlements}
    documents = {r.report_id.removeprefix("5"): r.data for r in data.reports}
    assert documents == files and len(documents) == len(generated.settlements)


def _amount(money: dict) -> Decimal:
    return money["currencyAmount"]


def test_groups_and_transactions_add_up_to_the_settlements_of_the_answer_key(served) -> None:
    """Each settlement's released transactions add up to its total; the malformed one falls short by exactly
    the amount its file made unreadable, since the fake cannot know what that line meant."""
    _, data, key = served
    closed = {g["FinancialEventGroupId"]: g for _, _, g in data.groups if g["ProcessingStatus"] == "Closed"}
    by_settlement: dict[str, Decimal] = defaultdict(Decimal)
    group_of: dict[str, str] = {}
    transactions_per_group: Counter[str] = Counter()
    for _, _, t in data.transactions:
        related = {r["relatedIdentifierName"]: r["relatedIdentifierValue"] for r in t["relatedIdentifiers"]}
        leaves = sum((_amount(leaf["breakdownAmount"]) for b in t["breakdowns"] for leaf in b["breakdowns"]), Decimal(0))
        assert leaves == _amount(t["totalAmount"]) == sum((_amount(b["breakdownAmount"]) for b in t["breakdowns"]),
                                                          Decimal(0))
        if "SETTLEMENT_ID" in related:
            assert t["transactionStatus"] == "RELEASED" and related["FINANCIAL_EVENT_GROUP_ID"] in closed
            by_settlement[related["SETTLEMENT_ID"]] += _amount(t["totalAmount"])
            group_of[related["SETTLEMENT_ID"]] = related["FINANCIAL_EVENT_GROUP_ID"]
            transactions_per_group[related["FINANCIAL_EVENT_GROUP_ID"]] += 1
    assert transactions_per_group == Counter(e.group_id for e in data.events if e.group_id in closed)

    malformed = next(a for a in key["anomalies"] if a["kind"] == "malformed_file")
    text = malformed["original_value"]
    unreadable = Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)
    assert len(closed) == len(key["settlements"]) == len(set(group_of.values()))
    for settlement in key["settlements"]:
        total = Decimal(settlement["total_amount"])
        group = closed[group_of[settlement["settlement_id"]]]
        assert group["OriginalTotal"]["CurrencyAmount"] == total
        assert (group["FinancialEventGroupStart"], group["FinancialEventGroupEnd"], group["FundTransferDate"]) == (
            settlement["period_start"], settlement["period_end"], settlement["deposit_at"])
        short = unreadable if settlement["settlement_id"] == malformed["settlement_id"] else Decimal(0)
        assert by_settlement[settlement["settlement_id"]] == total - short, settlement["settlement_id"]


def test_unsettled_money_follows_each_store(served) -> None:
    generated, data, _ = served
    stores = {s.store_id for s in generated.settlements}
    open_groups = [g for _, _, g in data.groups if g["ProcessingStatus"] == "Open"]
    statuses = Counter(t["transactionStatus"] for _, _, t in data.transactions
                       if not any(r["relatedIdentifierName"] == "SETTLEMENT_ID" for r in t["relatedIdentifiers"]))
    assert len(open_groups) == len(stores) and statuses == {"RELEASED": 3 * len(stores), "DEFERRED": 2 * len(stores)}


def test_simulated_lines_are_the_rendered_rows() -> None:
    """What the fake serves (the simulated lines) and what the files say (the rendered rows) are one story."""
    world = SellerWorld(ARGUMENTS)
    checked, unreadable = 0, []
    for settlement in world.settlements():
        profile = settlement.profile
        columns = columns_for(profile)
        lines = list(settlement.lines())
        assert len(lines) == len(settlement.builder.rows)
        for line, row in zip(lines, settlement.builder.rows):
            values = dict(zip(columns, row.split("\t")))
            expected = {
                "transaction-type": line.transaction_type, "order-id": line.order_id,
                "adjustment-id": line.adjustment_id, "shipment-id": line.shipment_id,
                "marketplace-name": line.marketplace_name, "amount-type": line.amount_type,
                "amount-description": line.amount_description, "fulfillment-id": line.fulfillment_id,
                "posted-date-time": format_timestamp(line.posted_at, profile), "order-item-code": line.order_item_code,
                "sku": line.sku, "quantity-purchased": line.quantity,
            }
            if profile.promotion_id_column:
                expected["promotion-id"] = line.promotion_id
            assert {c: values[c] for c in expected} == expected
            minor = int(line.amount.scaleb(profile.decimals))
            if line.readable:
                assert values["amount"] == format_minor(minor, profile.decimals, profile.decimal_comma)
            else:
                unreadable.append((settlement.settlement_id, line.number))
            checked += 1
        assert sum((line.amount for line in lines), Decimal(0)) == settlement.total
    assert checked > 500 and unreadable == [(world.malformed.settlement_id, world.malformed.details["line"])]
    with pytest.raises(RuntimeError):
        next(world.settlements())
