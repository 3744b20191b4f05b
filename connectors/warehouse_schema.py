"""DDL of the warehouse's `raw` and `audit` schemas: the contract between connectors and dbt sources.

Money is DECIMAL(18,2) (JPY carries .00); timestamps are TIMESTAMP holding UTC wall time.
Every raw row keeps the SHA-256 of the archived file it came from and its 1-based line number in that file.
"""
from __future__ import annotations

RAW_TABLES: dict[str, str] = {
    # One row per settlement report (the summary row of a flat file).
    "raw.settlement_headers": """
        settlement_id VARCHAR NOT NULL,
        report_format VARCHAR NOT NULL,          -- 'v1' or 'v2'
        settlement_start_at TIMESTAMP,           -- UTC
        settlement_end_at TIMESTAMP,             -- UTC
        deposit_at TIMESTAMP,                    -- UTC
        total_amount DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,
        source_file_sha256 VARCHAR NOT NULL,
        source_file_name VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (settlement_id)
    """,
    # One row per amount in a settlement report. A V1 row carrying several amount columns yields
    # several lines (amount_column names which), so a line is keyed by file, line and amount_column.
    "raw.settlement_lines": """
        settlement_id VARCHAR NOT NULL,
        report_format VARCHAR NOT NULL,
        transaction_type VARCHAR,
        order_id VARCHAR,
        merchant_order_id VARCHAR,
        adjustment_id VARCHAR,
        shipment_id VARCHAR,
        marketplace_name VARCHAR,
        amount_type VARCHAR,
        amount_description VARCHAR,
        amount DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,               -- the settlement's currency (V1 rows leave it blank)
        fulfillment_id VARCHAR,
        posted_at TIMESTAMP,                     -- UTC
        posted_date_raw VARCHAR,                 -- the file's own text, kept for audit
        order_item_code VARCHAR,
        merchant_order_item_id VARCHAR,
        merchant_adjustment_item_id VARCHAR,
        sku VARCHAR,
        quantity_purchased INTEGER,
        promotion_id VARCHAR,
        amount_column VARCHAR NOT NULL,          -- 'amount' in V2; the V1 column the amount came from
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line, amount_column)
    """,
    "raw.bank_transactions": """
        account_id VARCHAR NOT NULL,
        booking_date DATE NOT NULL,
        amount DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,
        counterparty VARCHAR,
        reference VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    "raw.store_config": """
        store_id VARCHAR NOT NULL,
        seller_id VARCHAR,
        marketplace_id VARCHAR,
        marketplace_name VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        time_zone VARCHAR NOT NULL,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    "raw.sku_map": """
        store_id VARCHAR,                        -- blank: applies to every store
        seller_sku VARCHAR NOT NULL,
        internal_sku VARCHAR NOT NULL,
        brand VARCHAR,
        category VARCHAR,
        unit_cost DECIMAL(18,4),
        unit_cost_currency VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # ECB reference rates as published: units of `currency` per 1 EUR.
    "raw.fx_ecb_rates": """
        rate_date DATE NOT NULL,
        currency VARCHAR NOT NULL,
        units_per_eur DECIMAL(18,8) NOT NULL,
        PRIMARY KEY (rate_date, currency)
    """,
    # User-supplied rates (for example PBoC central parity): 1 base_currency = rate quote_currency.
    "raw.fx_rate_overrides": """
        rate_date DATE NOT NULL,
        base_currency VARCHAR NOT NULL,
        quote_currency VARCHAR NOT NULL,
        rate DECIMAL(18,8) NOT NULL,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (rate_date, base_currency, quote_currency, source_file_sha256)
    """,
    # One row per line of a dropped purchases.csv: what stock cost, landed (issue 9). Freight (头程), duty (关税) and
    # other landed cost are totals for the line, in the line's currency; landed unit cost = unit_cost + their sum
    # divided by quantity.
    "raw.purchases": """
        purchase_date DATE NOT NULL,
        internal_sku VARCHAR NOT NULL,
        quantity INTEGER NOT NULL,
        unit_cost DECIMAL(18,4) NOT NULL,
        currency VARCHAR NOT NULL,
        inbound_freight DECIMAL(18,2) NOT NULL,
        duty DECIMAL(18,2) NOT NULL,
        other_landed_cost DECIMAL(18,2) NOT NULL,
        reference VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # Acknowledgements and resolutions of alerts (the Money-at-risk page); the latest per alert_id is its state.
    "raw.alert_state_changes": """
        alert_id VARCHAR NOT NULL,
        state VARCHAR NOT NULL,                  -- open / acknowledged / resolved
        changed_at TIMESTAMP NOT NULL,           -- UTC
        changed_by VARCHAR,
        note VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # `acorn close --period P` writes a close record (a JSON input, archived and loaded like any other), so a
    # rebuild from the archive keeps every period closed exactly as it was.
    "raw.period_closes": """
        period VARCHAR NOT NULL,                 -- YYYY-MM
        closed_at TIMESTAMP NOT NULL,            -- UTC
        closed_by VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        PRIMARY KEY (period)
    """,
    # The journal of a closed period as it stood when it was closed: marts.fct_journal_lines' columns, frozen.
    "raw.closed_journal_lines": """
        period VARCHAR NOT NULL,
        journal_line_id VARCHAR NOT NULL,
        entry_id VARCHAR NOT NULL,
        voucher_no INTEGER NOT NULL,
        line_no INTEGER NOT NULL,
        entry_date DATE NOT NULL,
        store_id VARCHAR,
        source_type VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        account_code VARCHAR NOT NULL,
        account_name_zh VARCHAR NOT NULL,
        account_name_en VARCHAR NOT NULL,
        debit DECIMAL(18,2) NOT NULL,
        credit DECIMAL(18,2) NOT NULL,
        currency VARCHAR,
        amount_original DECIMAL(18,2),
        fx_rate DECIMAL(18,8),
        fx_rate_date DATE,
        fx_policy VARCHAR,
        fx_rate_source VARCHAR,
        memo VARCHAR,
        source_file_sha256 VARCHAR,
        is_suspense BOOLEAN NOT NULL,
        original_period VARCHAR,
        close_file_sha256 VARCHAR NOT NULL,      -- the close record this copy came from
        PRIMARY KEY (journal_line_id)
    """,
    # GET_FBA_REIMBURSEMENTS_DATA: one row per reimbursement line as delivered; reports overlap, staging dedups.
    "raw.fba_reimbursements": """
        approved_at TIMESTAMP,                   -- approval-date, UTC
        reimbursement_id VARCHAR,
        case_id VARCHAR,
        amazon_order_id VARCHAR,
        reason VARCHAR,                          -- Lost_Warehouse, Damaged_Warehouse, CustomerReturn, Reimbursement_Reversal, ...
        sku VARCHAR,
        fnsku VARCHAR,
        asin VARCHAR,
        condition VARCHAR,
        currency VARCHAR,
        amount_per_unit DECIMAL(18,2),
        amount_total DECIMAL(18,2),
        quantity_reimbursed_cash INTEGER,
        quantity_reimbursed_inventory INTEGER,
        quantity_reimbursed_total INTEGER,
        original_reimbursement_id VARCHAR,
        original_reimbursement_type VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA: units back at an FBA warehouse. No amounts, no buyer comments.
    "raw.fba_customer_returns": """
        returned_at TIMESTAMP,                   -- return-date, UTC
        order_id VARCHAR,
        sku VARCHAR,
        asin VARCHAR,
        fnsku VARCHAR,
        quantity INTEGER,
        fulfillment_center_id VARCHAR,
        detailed_disposition VARCHAR,            -- SELLABLE, DAMAGED, CUSTOMER_DAMAGED, CARRIER_DAMAGED, DEFECTIVE, ...
        reason VARCHAR,
        status VARCHAR,
        license_plate_number VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE: seller-fulfilled returns, A-to-z flag and SAFE-T claims.
    # Item names and any buyer columns are dropped by the parser.
    "raw.seller_fulfilled_returns": """
        order_id VARCHAR,
        ordered_at TIMESTAMP,
        return_requested_at TIMESTAMP,
        return_request_status VARCHAR,
        amazon_rma_id VARCHAR,
        merchant_rma_id VARCHAR,
        label_type VARCHAR,
        label_cost DECIMAL(18,2),
        currency VARCHAR,
        return_carrier VARCHAR,
        tracking_id VARCHAR,
        label_to_be_paid_by VARCHAR,
        is_a_to_z_claim BOOLEAN,
        is_prime BOOLEAN,
        asin VARCHAR,
        merchant_sku VARCHAR,
        return_quantity INTEGER,
        return_reason VARCHAR,
        in_policy BOOLEAN,
        return_type VARCHAR,
        resolution VARCHAR,
        invoice_number VARCHAR,
        return_delivered_at TIMESTAMP,
        order_amount DECIMAL(18,2),
        order_quantity INTEGER,
        safet_action_reason VARCHAR,
        safet_claim_id VARCHAR,
        safet_claim_state VARCHAR,
        safet_claim_created_at TIMESTAMP,
        safet_reimbursement_amount DECIMAL(18,2),
        refunded_amount DECIMAL(18,2),
        source_file_sha256 VARCHAR NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
}

AUDIT_TABLES: dict[str, str] = {
    "audit.file_loads": """
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,                   -- settlement_v2, settlement_v1, bank_statement, ... or 'unknown'
        received_at TIMESTAMP NOT NULL,          -- UTC
        status VARCHAR NOT NULL,                 -- loaded / duplicate / quarantined
        message VARCHAR,
        rows_loaded INTEGER NOT NULL DEFAULT 0,
        archive_path VARCHAR NOT NULL,
        PRIMARY KEY (sha256, file_name)
    """,
    # One row per expectation evaluated on a parsed batch; Dagster shows them as asset checks.
    "audit.validation_results": """
        sha256 VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        rule VARCHAR NOT NULL,
        success BOOLEAN NOT NULL,
        failed_line INTEGER,
        detail VARCHAR,
        validated_at TIMESTAMP NOT NULL
    """,
    # The notifier's log, one row per alert x channel x attempt: 'claimed' before the send, then 'sent' or 'failed'.
    # A channel never gets an alert that has a 'sent' row, nor one claimed less than the stale-claim age ago.
    "audit.alert_deliveries": """
        alert_id VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,                -- the channel's name in the notify config
        attempt INTEGER NOT NULL,                -- 1, 2, ... per alert and channel, across runs
        status VARCHAR NOT NULL,                 -- claimed / sent / failed
        error VARCHAR,                           -- what went wrong, secrets redacted
        claimed_at TIMESTAMP NOT NULL,           -- UTC
        sent_at TIMESTAMP,                       -- UTC, when the channel accepted the message
        run_id VARCHAR NOT NULL,                 -- one notifier run: the alerts of one message share it
        PRIMARY KEY (alert_id, channel, attempt)
    """,
    # A report header held a column its parser does not know: the values were not stored, the name is kept here
    # (the alerts mart raises report_columns_changed from it).
    "audit.report_unknown_columns": """
        sha256 VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        column_name VARCHAR NOT NULL,
        column_position INTEGER NOT NULL,        -- 1-based, in the header row
        looks_personal BOOLEAN NOT NULL,         -- its name suggests buyer data: never stored
        seen_at TIMESTAMP NOT NULL,              -- UTC
        PRIMARY KEY (sha256, column_name)
    """,
    # The dashboards' access log (dashboards/access_log.py writes the JSONL file Settings.access_log), copied line
    # by line at every run. Append-only: auditors read it, nothing updates or deletes a row.
    "audit.access_log": """
        line_offset BIGINT NOT NULL,             -- byte offset of the line in the JSONL file
        line_sha256 VARCHAR NOT NULL,            -- SHA-256 of the line's bytes (without the newline)
        raw_line VARCHAR NOT NULL,               -- the line exactly as written, kept for audit
        occurred_at TIMESTAMP,                   -- UTC; NULL if the line is not a readable event
        event VARCHAR,                           -- login_success, login_failure, page_view, sql_query, export, ...
        username VARCHAR,
        what VARCHAR,                            -- the page, the SQL text, the export's name, the archived file
        stores VARCHAR,                          -- the stores the figures covered, comma-separated; '*' for all
        loaded_at TIMESTAMP NOT NULL,            -- UTC
        PRIMARY KEY (line_offset, line_sha256)
    """,
}


def create_statements() -> list[str]:
    """Every table a warehouse starts with, so dbt sources exist before any source has delivered."""
    from connectors.spapi import schema as spapi_schema
    from connectors.vendor import schema as vendor_schema

    tables = {**RAW_TABLES, **AUDIT_TABLES, **spapi_schema.RAW_TABLES, **spapi_schema.AUDIT_TABLES}
    tables |= {**vendor_schema.RAW_TABLES, **vendor_schema.AUDIT_TABLES}
    statements = ["CREATE SCHEMA IF NOT EXISTS raw", "CREATE SCHEMA IF NOT EXISTS audit"]
    statements += [f"CREATE TABLE IF NOT EXISTS {name} ({columns})" for name, columns in tables.items()]
    return statements
