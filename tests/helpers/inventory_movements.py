"""Stock movements that stress the cost methods: negative stock, stock emptied exactly, returns of whole and part
sales (several per sale, some of sales made with no cost known), returns naming no sale, SKUs never purchased, and
purchase values that make averages land on half cents. In the columns of int_inventory_events the costing reads."""
from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import duckdb

COLUMNS = ("internal_sku VARCHAR, event_seq BIGINT, movement_type VARCHAR, quantity BIGINT, value_in DECIMAL(18,2), "
           "original_sale_seq BIGINT")


def hostile_movements(seed: int, skus: int) -> list[tuple]:
    rng = random.Random(seed)
    rows: list[tuple] = []
    for k in range(skus):
        sku = f"S{k}"
        p_purchase = rng.choice([0.0, 0.02, 0.1, 0.3])
        sales: list[tuple[int, int]] = []
        for seq in range(1, rng.choice([1, 2, 5, 30, 200, 900]) + 1):
            draw = rng.random()
            if draw < p_purchase:
                quantity = rng.randint(1, rng.choice([3, 12, 40, 120]))
                rows.append((sku, seq, "purchase", quantity, Decimal(rng.randint(0, 90000)) / 100, None))
            elif draw < p_purchase + 0.2 and sales:
                if rng.random() < 0.1:
                    rows.append((sku, seq, "return", rng.randint(1, 3), None, None))
                else:
                    sale_seq, sold = rng.choice(sales[-40:])
                    quantity = sold if rng.random() < 0.6 else rng.randint(1, sold)
                    rows.append((sku, seq, "return", quantity, None, sale_seq))
            elif draw < p_purchase + 0.27:
                rows.append((sku, seq, "write_off", rng.randint(1, 2), None, None))
            else:
                quantity = rng.choice([1, 1, 1, 2, 3])
                rows.append((sku, seq, "sale", quantity, None, None))
                sales.append((seq, quantity))
    return rows


def write_movements(warehouse: Path, rows: list[tuple], table: str = "main.inventory_events") -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"CREATE OR REPLACE TABLE {table}_loaded ({COLUMNS})")
        con.executemany(f"INSERT INTO {table}_loaded VALUES (?, ?, ?, ?, ?, ?)", rows)
        con.execute(f"""CREATE OR REPLACE TABLE {table} AS
            SELECT e.*, EXISTS (SELECT 1 FROM {table}_loaded r WHERE r.internal_sku = e.internal_sku
                                AND r.original_sale_seq = e.event_seq) AS is_refunded_sale
            FROM {table}_loaded e""")
        con.execute(f"DROP TABLE {table}_loaded")
