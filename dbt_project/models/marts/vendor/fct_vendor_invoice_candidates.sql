-- One row per PO line with units received and not invoiced yet: what an own invoice (submitInvoices) still
-- has to bill. quantity_to_invoice = received - invoiced (eaches; invoices ACORN submitted count, built-only
-- ones never reach the warehouse), amount_to_invoice at the line's net cost rounded to the cent. A PO named
-- by an invoice without line items (export only) cannot say which lines it bills, so it counts as invoiced.
-- This is the one place the rule lives: the received_not_invoiced alert (fct_alerts) sums these rows per PO,
-- and `acorn vendor-invoices` builds its invoices from them.
with

po_lines as (
    select * from {{ ref('int_vendor_po_lines') }}
),

-- how many invoices already name the PO: a further own invoice for its remaining lines needs a new number
po_invoices as (
    select purchase_order_number, count(distinct vendor_code || ':' || invoice_number) as n_invoices
    from {{ ref('int_vendor_invoice_purchase_orders') }}
    group by purchase_order_number
),

invoicing as (
    select * from {{ ref('int_vendor_po_line_invoicing') }}
),

statuses as (
    select * from {{ ref('int_vendor_po_item_status') }}
),

unitemized_pos as (
    select distinct bridge.purchase_order_number
    from {{ ref('int_vendor_invoice_purchase_orders') }} as bridge
    where not exists (
        select 1 from {{ ref('int_vendor_invoice_lines') }} as lines
        where lines.vendor_code = bridge.vendor_code and lines.invoice_number = bridge.invoice_number
    )
),

lines as (
    select
        po_lines.*,
        coalesce(invoicing.invoiced_quantity, 0) as invoiced_quantity,
        coalesce(invoicing.invoiced_amount, 0) as invoiced_amount,
        coalesce(po_lines.vendor_code, statuses.vendor_code) as selling_party_id,
        coalesce(orders.ship_to_party_id, statuses.ship_to_party_id) as ship_to_party_id,
        coalesce(po_invoices.n_invoices, 0) as invoices_naming_po
    from po_lines
    left join invoicing
        on invoicing.account_id = po_lines.account_id
        and invoicing.purchase_order_number = po_lines.purchase_order_number
        and invoicing.item_sequence_number = po_lines.item_sequence_number
    left join statuses
        on statuses.account_id = po_lines.account_id
        and statuses.purchase_order_number = po_lines.purchase_order_number
        and statuses.item_sequence_number = po_lines.item_sequence_number
    left join {{ ref('int_vendor_purchase_orders') }} as orders
        on orders.account_id = po_lines.account_id
        and orders.purchase_order_number = po_lines.purchase_order_number
    left join po_invoices
        on po_invoices.purchase_order_number = po_lines.purchase_order_number
    where po_lines.received_quantity > coalesce(invoicing.invoiced_quantity, 0)
        and po_lines.purchase_order_number not in (select purchase_order_number from unitemized_pos)
)

select
    account_id,
    marketplace_id,
    marketplace_name,
    selling_party_id as vendor_code,
    ship_to_party_id,
    purchase_order_number,
    item_sequence_number,
    asin,
    vendor_sku,
    currency,
    net_cost,
    received_quantity,
    invoiced_quantity,
    received_quantity - invoiced_quantity as quantity_to_invoice,
    cast(round((received_quantity - invoiced_quantity) * net_cost, 2) as {{ money() }}) as amount_to_invoice,
    invoiced_amount,
    invoices_naming_po,
    cast(first_received_at as date) as received_on,
    cast(last_receive_at as date) as last_received_on
from lines
