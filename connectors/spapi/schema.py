"""DDL of the SP-API raw and audit tables, in the style of `connectors/warehouse_schema.py`.

Money is DECIMAL(18,2); timestamps are TIMESTAMP holding UTC wall time. Rows from the API keep the SHA-256
of the archived JSON page they came from (`source_page_sha256`). No table holds a credential.
"""
from __future__ import annotations

RAW_TABLES: dict[str, str] = {
    # One row per FinancialEventGroup; groups change (Open → Closed), so a later fetch replaces the row.
    "raw.financial_event_groups": """
        account_id VARCHAR NOT NULL,
        group_id VARCHAR NOT NULL,
        processing_status VARCHAR,               -- Open / Closed
        fund_transfer_status VARCHAR,
        original_total DECIMAL(18,2),
        original_currency VARCHAR,
        converted_total DECIMAL(18,2),           -- in the deposit currency
        converted_currency VARCHAR,
        beginning_balance DECIMAL(18,2),
        beginning_balance_currency VARCHAR,
        fund_transfer_at TIMESTAMP,              -- UTC
        group_start_at TIMESTAMP,                -- UTC
        group_end_at TIMESTAMP,                  -- UTC; NULL while open
        trace_id VARCHAR,
        account_tail VARCHAR,
        store_id VARCHAR,
        source_page_sha256 VARCHAR NOT NULL,
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, group_id)
    """,
    # One row per amount (charge, fee, promotion, tax withheld, adjustment, ...) of a Finances v0 event.
    "raw.financial_events": """
        account_id VARCHAR NOT NULL,
        row_id VARCHAR NOT NULL,                 -- SHA-256 of event content, occurrence and amount path
        store_id VARCHAR,
        group_id VARCHAR,                        -- the group whose span holds posted_at, in its currency
        event_list VARCHAR NOT NULL,             -- e.g. ShipmentEventList
        event_type VARCHAR NOT NULL,
        known_list BOOLEAN NOT NULL,             -- false: a list ACORN does not map yet (see audit.spapi_unknown_event_lists)
        amount_path VARCHAR NOT NULL,
        amount_kind VARCHAR NOT NULL,
        amount_type VARCHAR NOT NULL,
        amount_role VARCHAR NOT NULL,            -- amount / total / detail: sum 'amount' for an event's net
        is_adjustment BOOLEAN NOT NULL,
        amount DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,
        order_id VARCHAR,
        seller_order_id VARCHAR,
        sku VARCHAR,
        quantity INTEGER,
        posted_at TIMESTAMP,                     -- UTC
        marketplace VARCHAR,
        description VARCHAR,
        promotion_id VARCHAR,
        window_start TIMESTAMP NOT NULL,
        window_end TIMESTAMP NOT NULL,
        source_page_sha256 VARCHAR NOT NULL,
        PRIMARY KEY (account_id, row_id)
    """,
    # One row per Finances 2024-06-19 transaction, DEFERRED ones included.
    "raw.finance_transactions": """
        account_id VARCHAR NOT NULL,
        transaction_id VARCHAR NOT NULL,
        transaction_status VARCHAR,              -- DEFERRED / RELEASED / DEFERRED_RELEASED
        transaction_type VARCHAR,
        description VARCHAR,
        posted_at TIMESTAMP,                     -- UTC
        total_amount DECIMAL(18,2),
        currency VARCHAR,
        marketplace_id VARCHAR,
        store_id VARCHAR,
        selling_partner_id VARCHAR,
        group_id VARCHAR,
        settlement_id VARCHAR,
        order_id VARCHAR,
        related_identifiers VARCHAR,             -- JSON
        window_start TIMESTAMP NOT NULL,
        window_end TIMESTAMP NOT NULL,
        source_page_sha256 VARCHAR NOT NULL,
        PRIMARY KEY (account_id, transaction_id)
    """,
    "raw.finance_transaction_breakdowns": """
        account_id VARCHAR NOT NULL,
        transaction_id VARCHAR NOT NULL,
        position VARCHAR NOT NULL,               -- '0.1' = second child of first breakdown; 'item0/0' for items
        breakdown_type VARCHAR,
        amount DECIMAL(18,2),
        currency VARCHAR,
        depth INTEGER NOT NULL,
        is_leaf BOOLEAN NOT NULL,
        PRIMARY KEY (account_id, transaction_id, position)
    """,
    # One row per settlement report document fetched; the bytes go to the inbox and through the file loader.
    "raw.spapi_settlement_reports": """
        account_id VARCHAR NOT NULL,
        report_id VARCHAR NOT NULL,
        report_document_id VARCHAR NOT NULL,
        created_at TIMESTAMP,                    -- UTC
        data_start_at TIMESTAMP,
        data_end_at TIMESTAMP,
        settlement_id VARCHAR,
        store_id VARCHAR,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        charset VARCHAR,                         -- from the download's Content-Type, when given
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, report_id)
    """,
    # When each configured seller authorization was granted (accounts config `authorized_at`), written at every
    # sync: Amazon's seller authorizations last a year, and the alerts mart warns before one expires.
    "raw.spapi_authorizations": """
        account_id VARCHAR NOT NULL,
        seller_id VARCHAR,
        authorized_at TIMESTAMP,                 -- UTC; NULL when the config does not say
        recorded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id)
    """,
    # One row per money-at-risk report document fetched (reimbursements, FBA returns, seller returns); the bytes
    # go to the inbox and through the file loader, like settlement reports.
    "raw.spapi_report_documents": """
        account_id VARCHAR NOT NULL,
        report_type VARCHAR NOT NULL,
        report_id VARCHAR NOT NULL,
        report_document_id VARCHAR NOT NULL,
        data_start_at TIMESTAMP,
        data_end_at TIMESTAMP,
        store_id VARCHAR,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, report_id)
    """,
}

AUDIT_TABLES: dict[str, str] = {
    # Per account, scope (a store id, or '*' for account-wide sources) and source: the end of the last
    # window written completely. A run resumes from here.
    "audit.sync_cursors": """
        account_id VARCHAR NOT NULL,
        scope VARCHAR NOT NULL,
        source VARCHAR NOT NULL,                 -- settlement_reports / financial_event_groups / financial_events / finance_transactions
        cursor_at TIMESTAMP NOT NULL,            -- UTC
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, scope, source)
    """,
    # One row per window attempted, written whether it succeeded or failed.
    "audit.sync_log": """
        run_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        scope VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        window_start TIMESTAMP NOT NULL,
        window_end TIMESTAMP NOT NULL,
        status VARCHAR NOT NULL,                 -- complete / failed
        pages INTEGER NOT NULL,                  -- for settlement_reports: documents downloaded
        rows_written INTEGER NOT NULL,
        calls INTEGER NOT NULL,
        retries INTEGER NOT NULL,
        window_restarts INTEGER NOT NULL,
        errors VARCHAR,                          -- Amazon error codes and messages only
        started_at TIMESTAMP NOT NULL,
        duration_ms BIGINT NOT NULL,
        PRIMARY KEY (run_id, account_id, scope, source, window_start)
    """,
    # Event lists Finances v0 returned that ACORN does not know yet: their rows are kept (known_list = false)
    # and the page is archived; this table is the report someone acts on.
    "audit.spapi_unknown_event_lists": """
        account_id VARCHAR NOT NULL,
        event_list VARCHAR NOT NULL,
        source_page_sha256 VARCHAR NOT NULL,
        events INTEGER NOT NULL,
        first_seen_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, event_list, source_page_sha256)
    """,
}


def create_statements() -> list[str]:
    statements = ["CREATE SCHEMA IF NOT EXISTS raw", "CREATE SCHEMA IF NOT EXISTS audit"]
    statements += [f"CREATE TABLE IF NOT EXISTS {name} ({columns})" for name, columns in {**RAW_TABLES, **AUDIT_TABLES}.items()]
    return statements
