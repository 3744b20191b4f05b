"""DDL of the vendor (Vendor Central) raw tables, in the style of `connectors/spapi/schema.py`.

Money is DECIMAL(18,2); unit costs are DECIMAL(18,4) like `raw.sku_map.unit_cost`; timestamps are TIMESTAMP
holding UTC wall time; dates Amazon gives without a time (Vendor Central exports) are DATE. Rows from the API keep
the SHA-256 of the archived JSON page they came from (`source_page_sha256`) and their 1-based position in it
(`source_index`); rows from files keep `source_file_sha256` and `source_line` (1-based line of a CSV, 1-based
row of an XLSX sheet). Nothing is overwritten that Amazon may change later: purchase orders, their status and
invoice headers are kept per version. Sync state reuses `audit.sync_cursors` and `audit.sync_log`
(`connectors/spapi/schema.py`) with the vendor source names listed in `connectors/vendor/sync.py`.
"""
from __future__ import annotations

RAW_TABLES: dict[str, str] = {
    # One row per purchase-order VERSION (getPurchaseOrders). A version is identified by what Amazon changes when
    # it changes a PO: purchaseOrderChangedDate, purchaseOrderState and purchaseOrderStateChangedDate. A change or
    # a cancellation adds a row; the earlier version stays.
    "raw.vendor_purchase_orders": """
        account_id VARCHAR NOT NULL,
        purchase_order_number VARCHAR NOT NULL,
        version_id VARCHAR NOT NULL,             -- sha256(po number | changed date | state | state changed date)[:16]
        purchase_order_state VARCHAR,            -- New / Acknowledged / Closed (required by the model; NULL kept if absent)
        purchase_order_date TIMESTAMP,           -- UTC; NULL only when fetched without includeDetails
        purchase_order_changed_at TIMESTAMP,     -- UTC; NULL when the PO was never changed
        purchase_order_state_changed_at TIMESTAMP,  -- UTC
        purchase_order_type VARCHAR,             -- RegularOrder / ConsignedOrder / NewProductIntroduction / RushOrder
        payment_method VARCHAR,                  -- Invoice / Consignment / CreditCard / Prepaid
        deal_code VARCHAR,
        buying_party_id VARCHAR,
        selling_party_id VARCHAR,                -- the vendor code
        ship_to_party_id VARCHAR,                -- the fulfilment centre
        bill_to_party_id VARCHAR,
        marketplace_id VARCHAR,                  -- the account store the PO was fetched for
        ship_window_start TIMESTAMP,             -- UTC, from "start--end"
        ship_window_end TIMESTAMP,
        delivery_window_start TIMESTAMP,
        delivery_window_end TIMESTAMP,
        import_details VARCHAR,                  -- JSON as sent, when present
        item_count INTEGER NOT NULL,
        content_sha256 VARCHAR NOT NULL,         -- of the order JSON as first seen for this version
        source_page_sha256 VARCHAR NOT NULL,
        source_index INTEGER NOT NULL,           -- 1-based position of the order in the page
        fetched_at TIMESTAMP NOT NULL,           -- UTC; first time this version was seen
        PRIMARY KEY (account_id, purchase_order_number, version_id)
    """,
    # One row per item of a PO version. item_state is 'Cancelled' when the item came back from a
    # getPurchaseOrders call filtered with poItemState=Cancelled; NULL otherwise.
    "raw.vendor_purchase_order_items": """
        account_id VARCHAR NOT NULL,
        purchase_order_number VARCHAR NOT NULL,
        version_id VARCHAR NOT NULL,
        item_sequence_number VARCHAR NOT NULL,
        asin VARCHAR,                            -- amazonProductIdentifier
        vendor_sku VARCHAR,                      -- vendorProductIdentifier
        ordered_quantity INTEGER NOT NULL,       -- in unit_of_measure
        unit_of_measure VARCHAR,                 -- Cases / Eaches (as sent)
        unit_size INTEGER,                       -- eaches per case
        is_back_order_allowed BOOLEAN,
        net_cost DECIMAL(18,4),                  -- per unit of net_cost_unit_of_measure (per each when NULL)
        net_cost_unit_of_measure VARCHAR,        -- POUNDS / OUNCES / GRAMS / KILOGRAMS when priced by weight
        list_price DECIMAL(18,4),
        currency VARCHAR,
        item_state VARCHAR,                      -- 'Cancelled' or NULL
        source_page_sha256 VARCHAR NOT NULL,
        PRIMARY KEY (account_id, purchase_order_number, version_id, item_sequence_number)
    """,
    # One row per PO item and lastUpdatedDate (getPurchaseOrdersStatus): acknowledgement and receiving history.
    "raw.vendor_purchase_order_status": """
        account_id VARCHAR NOT NULL,
        purchase_order_number VARCHAR NOT NULL,
        item_sequence_number VARCHAR NOT NULL,
        last_updated_at TIMESTAMP NOT NULL,      -- UTC; the PO's lastUpdatedDate (purchaseOrderDate when absent)
        purchase_order_status VARCHAR NOT NULL,  -- OPEN / CLOSED
        purchase_order_date TIMESTAMP NOT NULL,
        selling_party_id VARCHAR,
        ship_to_party_id VARCHAR,
        asin VARCHAR,                            -- buyerProductIdentifier
        vendor_sku VARCHAR,
        net_cost DECIMAL(18,4),
        list_price DECIMAL(18,4),
        currency VARCHAR,
        ordered_quantity INTEGER,                -- current ordered quantity (after changes)
        ordered_unit_of_measure VARCHAR,
        ordered_unit_size INTEGER,
        cancelled_quantity INTEGER NOT NULL,     -- sum of orderedQuantityDetails[].cancelledQuantity (0 when none)
        confirmation_status VARCHAR,             -- ACCEPTED / PARTIALLY_ACCEPTED / REJECTED / UNCONFIRMED
        accepted_quantity INTEGER,
        rejected_quantity INTEGER,
        acknowledged_at TIMESTAMP,               -- latest acknowledgementStatusDetails[].acknowledgementDate
        receive_status VARCHAR,                  -- NOT_RECEIVED / PARTIALLY_RECEIVED / RECEIVED
        received_quantity INTEGER,
        received_unit_of_measure VARCHAR,
        received_unit_size INTEGER,
        last_receive_at TIMESTAMP,               -- UTC
        source_page_sha256 VARCHAR NOT NULL,
        source_index INTEGER NOT NULL,           -- 1-based position of the PO in the page
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, purchase_order_number, item_sequence_number, last_updated_at)
    """,
    # One row per invoice header VERSION (Finances Invoices API 2026-06-25), keyed by lastUpdatedDate, so a status
    # change (IN_PROGRESS -> PAID) adds a row. getInvoice's header replaces getInvoiceHeaders' for the same version
    # (it carries the settlement breakdowns).
    "raw.vendor_invoices": """
        account_id VARCHAR NOT NULL,
        marketplace_id VARCHAR NOT NULL,
        invoice_identifier VARCHAR NOT NULL,     -- InvoiceNumber~PayeeCode
        invoice_number VARCHAR NOT NULL,
        last_updated_at TIMESTAMP NOT NULL,      -- UTC
        invoice_status VARCHAR NOT NULL,         -- IN_PROGRESS / REJECTED / PARTIALLY_PAID / PARTIALLY_DEDUCTED / PAID / DEDUCTED
        invoice_type VARCHAR NOT NULL,           -- AP_INVENTORY / OTHER
        payer_partner_id VARCHAR,
        payer_partner_type VARCHAR,              -- VENDOR / AMAZON / SELLER
        payer_name VARCHAR,
        payee_partner_id VARCHAR,
        payee_partner_type VARCHAR,
        payee_name VARCHAR,
        payee_entities VARCHAR,                  -- partnerEntities joined by ','
        billing_period_start TIMESTAMP,
        billing_period_end TIMESTAMP,
        issued_at TIMESTAMP NOT NULL,            -- UTC issueDate
        due_at TIMESTAMP,                        -- UTC dueDate (Amazon's)
        payment_terms VARCHAR,                   -- as sent, e.g. NET30, NET60 EOM, NET90 2%10
        invoice_amount DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,
        created_at TIMESTAMP,
        from_get_invoice BOOLEAN NOT NULL,       -- true: header from getInvoice (carries settlement breakdowns)
        source_page_sha256 VARCHAR NOT NULL,
        source_index INTEGER NOT NULL,
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, invoice_identifier, last_updated_at)
    """,
    # Amount and settlement breakdowns of an invoice version, flattened. Settlement types: AmountPaid,
    # QueuedForPayment, QuickPayDiscount, QuantityVarianceAmount, PriceVariance, Other.
    "raw.vendor_invoice_breakdowns": """
        account_id VARCHAR NOT NULL,
        invoice_identifier VARCHAR NOT NULL,
        last_updated_at TIMESTAMP NOT NULL,
        breakdown_set VARCHAR NOT NULL,          -- 'amount' (invoiceAmountBreakdowns) / 'settlement' (invoiceSettlementBreakdowns)
        position VARCHAR NOT NULL,               -- '0.1' = second child of first breakdown
        breakdown_type VARCHAR NOT NULL,
        amount DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,
        depth INTEGER NOT NULL,
        is_leaf BOOLEAN NOT NULL,
        PRIMARY KEY (account_id, invoice_identifier, last_updated_at, breakdown_set, position)
    """,
    # relatedIdentifiers of an invoice version (line_item_id '' ) and of its lines, one row per value.
    "raw.vendor_invoice_related_ids": """
        account_id VARCHAR NOT NULL,
        invoice_identifier VARCHAR NOT NULL,
        last_updated_at TIMESTAMP NOT NULL,
        line_item_id VARCHAR NOT NULL,           -- '' for the header's identifiers
        identifier_name VARCHAR NOT NULL,        -- PURCHASE_ORDER_IDS / SHORTAGE_INVOICE_IDS / ASN_IDS / ...
        identifier_value VARCHAR NOT NULL,
        PRIMARY KEY (account_id, invoice_identifier, last_updated_at, line_item_id, identifier_name, identifier_value)
    """,
    # One row per getInvoice line item of an invoice version, with how Amazon matched it.
    "raw.vendor_invoice_lines": """
        account_id VARCHAR NOT NULL,
        invoice_identifier VARCHAR NOT NULL,
        last_updated_at TIMESTAMP NOT NULL,
        line_item_id VARCHAR NOT NULL,
        line_item_type VARCHAR NOT NULL,         -- GOODS / SERVICE / ...
        asin VARCHAR,                            -- itemIdentifiers ASIN
        item_identifiers VARCHAR,                -- every itemIdentifier as NAME=value joined by ','
        item_description VARCHAR,
        purchase_order_numbers VARCHAR,          -- relatedItemIdentifiers PURCHASE_ORDER_IDS joined by ','
        quantity INTEGER,
        unit_cost DECIMAL(18,4),
        total_amount DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,
        tax_rate_codes VARCHAR,                  -- joined by ','
        matched_quantity INTEGER,
        matched_amount DECIMAL(18,2),
        quantity_variance INTEGER,
        price_variance DECIMAL(18,2),
        paid_quantity INTEGER,
        paid_amount DECIMAL(18,2),
        variance_types VARCHAR,                  -- PQV / PPV / OTHER joined by ','
        defect_types VARCHAR,                    -- every defectTypes value joined by ','
        variance_reasons VARCHAR,                -- JSON as sent
        service_charge_type VARCHAR,
        source_page_sha256 VARCHAR NOT NULL,
        source_index INTEGER NOT NULL,
        PRIMARY KEY (account_id, invoice_identifier, last_updated_at, line_item_id)
    """,
    # Vendor Central "Payments > Remittance" export (CSV or XLSX), one row per row, kept as exported. Deductions
    # (shortage claims, chargebacks, price claims, ...) are rows whose invoice number carries a suffix or prefix
    # listed in dbt_project/seeds/vendor_deduction_types.csv; the classification is done downstream.
    "raw.vendor_remittances": """
        payment_number VARCHAR NOT NULL,
        payment_date DATE,
        invoice_number VARCHAR NOT NULL,
        invoice_date DATE,
        invoice_description VARCHAR,
        invoice_amount DECIMAL(18,2),
        amount_paid DECIMAL(18,2),
        discount_taken DECIMAL(18,2),            -- quick-pay discount
        remaining_amount DECIMAL(18,2),
        currency VARCHAR NOT NULL,
        vendor_code VARCHAR,
        marketplace VARCHAR,                     -- as exported, e.g. Amazon.de
        purchase_order_number VARCHAR,           -- when the export has the column
        source_file_sha256 VARCHAR NOT NULL,
        source_sheet VARCHAR,                    -- XLSX sheet name; NULL for CSV
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # Vendor Central "Payments > Invoices" export (CSV or XLSX), one row per row.
    "raw.vendor_central_invoices": """
        invoice_number VARCHAR NOT NULL,
        invoice_date DATE,
        invoice_status VARCHAR,                  -- e.g. Paid / Pending / Rejected / Pending Amazon action
        purchase_order_number VARCHAR,
        vendor_code VARCHAR,
        marketplace VARCHAR,
        invoice_amount DECIMAL(18,2),
        amount_paid DECIMAL(18,2),
        currency VARCHAR NOT NULL,
        due_date DATE,
        payment_terms VARCHAR,
        source_file_sha256 VARCHAR NOT NULL,
        source_sheet VARCHAR,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # Invoices ACORN built from received PO lines (submitInvoices payloads) and, once submitted, what Amazon said.
    "raw.vendor_invoice_submissions": """
        account_id VARCHAR NOT NULL,
        invoice_id VARCHAR NOT NULL,             -- our invoice number (Invoice.id)
        invoice_date DATE NOT NULL,
        marketplace_id VARCHAR,
        selling_party_id VARCHAR,                -- vendor code (remitToParty)
        bill_to_party_id VARCHAR,
        ship_to_party_id VARCHAR,
        purchase_order_numbers VARCHAR NOT NULL, -- joined by ','
        invoice_total DECIMAL(18,2) NOT NULL,
        currency VARCHAR NOT NULL,
        payment_terms_type VARCHAR,              -- Basic / EndOfMonth / ...
        discount_percent DECIMAL(9,4),
        discount_due_days INTEGER,
        net_due_days INTEGER,
        item_count INTEGER NOT NULL,
        payload_sha256 VARCHAR NOT NULL,         -- of the submitInvoices body that holds this invoice
        built_at TIMESTAMP NOT NULL,             -- UTC
        submitted_at TIMESTAMP,                  -- UTC; NULL while only built/exported
        transaction_id VARCHAR,
        transaction_status VARCHAR,              -- Processing / Success / Failure (vendorTransactionStatus)
        transaction_errors VARCHAR,              -- Amazon's error codes and messages
        status_checked_at TIMESTAMP,
        PRIMARY KEY (account_id, invoice_id)
    """,
    "raw.vendor_invoice_submission_items": """
        account_id VARCHAR NOT NULL,
        invoice_id VARCHAR NOT NULL,
        item_sequence_number INTEGER NOT NULL,
        purchase_order_number VARCHAR NOT NULL,
        po_item_sequence_number VARCHAR,
        asin VARCHAR,
        vendor_sku VARCHAR,
        invoiced_quantity INTEGER NOT NULL,      -- eaches
        net_cost DECIMAL(18,4) NOT NULL,         -- per each
        amount DECIMAL(18,2) NOT NULL,           -- invoiced_quantity x net_cost, rounded half-up to cents
        currency VARCHAR NOT NULL,
        PRIMARY KEY (account_id, invoice_id, item_sequence_number)
    """,
    # One row per shipment VERSION (vendorShipments getShipmentDetails, the ASN Amazon holds). A version is what
    # changes as the shipment moves: status, its date, transaction type (New / Cancel) and the delivery date, so
    # "shipped" and later "delivered" are two rows and neither overwrites the other.
    "raw.vendor_shipments": """
        account_id VARCHAR NOT NULL,
        vendor_shipment_identifier VARCHAR NOT NULL,   -- the vendor's shipment id (ASN id)
        version_id VARCHAR NOT NULL,             -- sha256(id | transaction type | status | status date | delivery)[:16]
        buyer_reference_number VARCHAR,          -- Amazon's reference (ARN) for the shipment
        transaction_type VARCHAR,                -- New / Cancel
        transaction_date TIMESTAMP,              -- UTC
        current_shipment_status VARCHAR,         -- Created / TransportationRequested / CarrierAssigned / Shipped
        current_shipment_status_at TIMESTAMP,    -- UTC
        shipment_created_at TIMESTAMP,
        shipment_confirmed_at TIMESTAMP,         -- the shipment confirmation (ASN) was sent
        shipped_at TIMESTAMP,                    -- transportationDetails.shippedDate
        estimated_delivery_at TIMESTAMP,         -- transportationDetails.estimatedDeliveryDate
        delivered_at TIMESTAMP,                  -- transportationDetails.shipmentDeliveryDate (actual)
        selling_party_id VARCHAR,                -- the vendor code
        ship_from_party_id VARCHAR,
        ship_to_party_id VARCHAR,                -- the fulfilment centre
        ship_mode VARCHAR,                       -- TruckLoad / LessThanTruckLoad / SmallParcel
        bill_of_lading_number VARCHAR,
        carton_count INTEGER,                    -- containers of type carton
        pallet_count INTEGER,                    -- containers of type pallet
        item_count INTEGER NOT NULL,
        content_sha256 VARCHAR NOT NULL,         -- of the shipment JSON as first seen for this version
        source_page_sha256 VARCHAR NOT NULL,
        source_index INTEGER NOT NULL,
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, vendor_shipment_identifier, version_id)
    """,
    # One row per PO item of a shipment version (purchaseOrders[].items[]): what was shipped against which PO line.
    "raw.vendor_shipment_items": """
        account_id VARCHAR NOT NULL,
        vendor_shipment_identifier VARCHAR NOT NULL,
        version_id VARCHAR NOT NULL,
        purchase_order_number VARCHAR NOT NULL,
        item_sequence_number VARCHAR NOT NULL,
        asin VARCHAR,                            -- buyerProductIdentifier
        vendor_sku VARCHAR,                      -- vendorProductIdentifier
        shipped_quantity INTEGER NOT NULL,       -- in unit_of_measure
        unit_of_measure VARCHAR,                 -- Cases / Eaches
        unit_size INTEGER,                       -- eaches per case
        PRIMARY KEY (account_id, vendor_shipment_identifier, version_id, purchase_order_number, item_sequence_number)
    """,
    # One row per row of a Vendor Central shipment spreadsheet (Orders > Shipments export), as exported.
    "raw.vendor_shipment_exports": """
        shipment_id VARCHAR NOT NULL,            -- ASN / shipment id
        purchase_order_number VARCHAR NOT NULL,
        asin VARCHAR,
        vendor_sku VARCHAR,
        shipped_quantity INTEGER,                -- eaches
        carton_count INTEGER,
        ship_date DATE,
        estimated_delivery_date DATE,
        delivery_date DATE,
        shipment_status VARCHAR,
        vendor_code VARCHAR,
        ship_to VARCHAR,                         -- fulfilment centre
        source_file_sha256 VARCHAR NOT NULL,
        source_sheet VARCHAR,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (source_file_sha256, source_line)
    """,
    # The vendor configuration's parties and tax registrations, written by each vendor sync (replaced per vendor
    # code), so the invoice-compliance mart can check them.
    "raw.vendor_config_parties": """
        account_id VARCHAR NOT NULL,
        vendor_code VARCHAR NOT NULL,
        marketplace_id VARCHAR NOT NULL,
        legal_name VARCHAR,
        remit_to_party_id VARCHAR,
        bill_to_party_id VARCHAR,
        tax_registration_type VARCHAR,
        tax_registration_number VARCHAR,
        recorded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (account_id, vendor_code, marketplace_id)
    """,
}

AUDIT_TABLES: dict[str, str] = {}


def create_statements() -> list[str]:
    statements = ["CREATE SCHEMA IF NOT EXISTS raw", "CREATE SCHEMA IF NOT EXISTS audit"]
    statements += [f"CREATE TABLE IF NOT EXISTS {name} ({columns})" for name, columns in {**RAW_TABLES, **AUDIT_TABLES}.items()]
    return statements
