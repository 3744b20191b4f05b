-- One row per alert, the one table every domain's alerts land in: domain 'vendor' below, domain 'seller' from
-- int_seller_alerts (rules in the alert_rules seed). Which
-- alerts are raised, how severe and at which threshold is configuration: the vendor_alert_thresholds seed
-- (enabled, severity, threshold_days, threshold_amount). Vendor alerts:
--   po_cancelled_after_acknowledgement  Amazon cancelled units of a PO after it was acknowledged
--   po_changed_after_acknowledgement    a PO line's quantity or cost changed after acknowledgement
--   shipment_late                       shipped (ASN ship date; without an ASN the first receipt) more than N days
--                                       after the ship window end, or nothing shipped N days after it
--   invoice_deadline                    a received PO still not (fully) invoiced more than the marketplace's
--                                       submission deadline after receipt (vendor_invoice_rules.invoice_deadline_days,
--                                       default 7), until received_not_invoiced takes over
--   received_not_invoiced               units received more than N days ago and not invoiced
--   invoice_overdue                     invoice status overdue (unpaid more than N days after its due date)
--   deduction_above_threshold           a deduction taken above the amount, in its own currency
with

as_of as (
    select as_of_date from {{ ref('int_vendor_as_of') }}
),

thresholds as (
    select * from {{ ref('vendor_alert_thresholds') }} where enabled
),

po_lines as (
    select * from {{ ref('fct_po_lifecycle') }}
),

orders as (
    select
        po_lines.account_id,
        po_lines.purchase_order_number,
        min(po_lines.marketplace_id) as marketplace_id,
        min(po_lines.marketplace_name) as marketplace_name,
        min(po_lines.vendor_code) as vendor_code,
        min(po_lines.currency) as currency,
        min(po_lines.acknowledged_on) as acknowledged_on,
        min(cast(po_lines.ship_window_end as date)) as ship_window_end_on,
        min(po_lines.received_on) as received_on,
        min(po_lines.shipped_on) as shipped_on,
        max(po_lines.last_received_on) as last_received_on,
        min(case when po_lines.is_cancelled_after_acknowledgement then po_lines.cancelled_on end) as cancelled_on,
        sum(case when po_lines.is_cancelled_after_acknowledgement
            then cast(round(po_lines.cancelled_quantity * po_lines.net_cost, 2) as {{ money() }}) else 0 end) as cancelled_amount,
        max(case when po_lines.is_cancelled_after_acknowledgement then 1 else 0 end) = 1 as is_cancelled_after_acknowledgement,
        max(case when po_lines.is_changed_after_acknowledgement then 1 else 0 end) = 1 as is_line_changed_after_acknowledgement,
        sum(po_lines.cancelled_quantity) as cancelled_quantity,
        sum(coalesce(po_lines.accepted_quantity, 0) - po_lines.cancelled_quantity) as open_quantity,
        sum(po_lines.ordered_amount) as ordered_amount
    from po_lines
    group by po_lines.account_id, po_lines.purchase_order_number
),

purchase_orders as (
    select orders.*, headers.changed_at
    from orders
    left join {{ ref('int_vendor_purchase_orders') }} as headers
        on headers.account_id = orders.account_id
        and headers.purchase_order_number = orders.purchase_order_number
),

-- what waits for an invoice, per PO: the same rows `acorn vendor-invoices` offers
uninvoiced as (
    select
        account_id,
        purchase_order_number,
        sum(amount_to_invoice) as uninvoiced_amount,
        sum(quantity_to_invoice) as uninvoiced_quantity
    from {{ ref('fct_vendor_invoice_candidates') }}
    group by account_id, purchase_order_number
),

cancelled as (
    select
        'po_cancelled_after_acknowledgement' as alert_type,
        purchase_orders.*,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_string() }}) as deduction_id,
        cancelled_amount as amount,
        cancelled_on as raised_on,
        'PO ' || purchase_order_number || ' acknowledged on ' || cast(acknowledged_on as {{ dbt.type_string() }})
            || ', cancelled on ' || cast(cancelled_on as {{ dbt.type_string() }}) || ' (' || cast(cancelled_quantity as {{ dbt.type_string() }})
            || ' units)' as message
    from purchase_orders
    where is_cancelled_after_acknowledgement
),

changed as (
    select
        'po_changed_after_acknowledgement' as alert_type,
        purchase_orders.*,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_string() }}) as deduction_id,
        ordered_amount as amount,
        cast(changed_at as date) as raised_on,
        'PO ' || purchase_order_number || ' changed by Amazon after its acknowledgement on '
            || cast(acknowledged_on as {{ dbt.type_string() }}) as message
    from purchase_orders
    where not is_cancelled_after_acknowledgement
        and (
            is_line_changed_after_acknowledgement
            -- only the latest version was fetched: a change dated after acknowledgement that no cancellation explains
            or (changed_at is not null and cast(changed_at as date) > acknowledged_on and cancelled_quantity = 0)
        )
),

late as (
    select
        'shipment_late' as alert_type,
        purchase_orders.*,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_string() }}) as deduction_id,
        ordered_amount as amount,
        coalesce(shipped_on, received_on, cast({{ dbt.dateadd('day', 'thresholds.threshold_days + 1', 'ship_window_end_on') }} as date)) as raised_on,
        'PO ' || purchase_order_number || ' ship window ended ' || cast(ship_window_end_on as {{ dbt.type_string() }})
            || case when shipped_on is not null then '; shipped ' || cast(shipped_on as {{ dbt.type_string() }})
                    when received_on is null then '; nothing shipped yet'
                    else '; no ASN, first received ' || cast(received_on as {{ dbt.type_string() }}) end as message
    from purchase_orders
    cross join as_of
    inner join thresholds
        on thresholds.alert_type = 'shipment_late'
    where acknowledged_on is not null
        and open_quantity > 0
        and ship_window_end_on is not null
        and {{ dbt.datediff('ship_window_end_on', 'coalesce(shipped_on, received_on, as_of.as_of_date)', 'day') }} > thresholds.threshold_days
),

not_invoiced as (
    select
        'received_not_invoiced' as alert_type,
        purchase_orders.*,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_string() }}) as deduction_id,
        uninvoiced.uninvoiced_amount as amount,
        cast({{ dbt.dateadd('day', 'thresholds.threshold_days + 1', 'last_received_on') }} as date) as raised_on,
        'PO ' || purchase_orders.purchase_order_number || ': ' || cast(uninvoiced.uninvoiced_quantity as {{ dbt.type_string() }})
            || ' units received by ' || cast(last_received_on as {{ dbt.type_string() }}) || ' not invoiced' as message
    from purchase_orders
    inner join uninvoiced
        on uninvoiced.account_id = purchase_orders.account_id
        and uninvoiced.purchase_order_number = purchase_orders.purchase_order_number
    cross join as_of
    inner join thresholds
        on thresholds.alert_type = 'received_not_invoiced'
    where uninvoiced.uninvoiced_quantity > 0
        and {{ dbt.datediff('last_received_on', 'as_of.as_of_date', 'day') }} > thresholds.threshold_days
),

-- the submission deadline per marketplace country comes first; past received_not_invoiced's days that alert
-- takes over, so a PO carries one of the two
deadline as (
    select
        'invoice_deadline' as alert_type,
        purchase_orders.*,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_string() }}) as deduction_id,
        uninvoiced.uninvoiced_amount as amount,
        cast({{ dbt.dateadd('day', 'coalesce(rules.invoice_deadline_days, 7) + 1', 'last_received_on') }} as date) as raised_on,
        'PO ' || purchase_orders.purchase_order_number || ': ' || cast(uninvoiced.uninvoiced_quantity as {{ dbt.type_string() }})
            || ' units received by ' || cast(last_received_on as {{ dbt.type_string() }}) || ' still not invoiced after '
            || cast(coalesce(rules.invoice_deadline_days, 7) as {{ dbt.type_string() }}) || ' days' as message
    from purchase_orders
    inner join uninvoiced
        on uninvoiced.account_id = purchase_orders.account_id
        and uninvoiced.purchase_order_number = purchase_orders.purchase_order_number
    cross join as_of
    inner join thresholds
        on thresholds.alert_type = 'invoice_deadline'
    left join {{ ref('int_vendor_marketplaces') }} as marketplaces
        on marketplaces.marketplace_id = purchase_orders.marketplace_id
    left join {{ ref('vendor_invoice_rules') }} as rules
        on rules.country_code = marketplaces.country_code
    left join thresholds as escalation
        on escalation.alert_type = 'received_not_invoiced'
    where uninvoiced.uninvoiced_quantity > 0
        and {{ dbt.datediff('last_received_on', 'as_of.as_of_date', 'day') }} > coalesce(rules.invoice_deadline_days, 7)
        and (escalation.threshold_days is null
            or {{ dbt.datediff('last_received_on', 'as_of.as_of_date', 'day') }} <= escalation.threshold_days)
),

overdue as (
    select
        'invoice_overdue' as alert_type,
        invoices.account_id,
        invoices.purchase_order_numbers as purchase_order_number,
        invoices.marketplace_id,
        invoices.marketplace_name,
        invoices.vendor_code,
        invoices.currency,
        invoices.invoice_number,
        cast(null as {{ dbt.type_string() }}) as deduction_id,
        invoices.outstanding_amount as amount,
        cast({{ dbt.dateadd('day', 'thresholds.threshold_days + 1', 'invoices.due_date') }} as date) as raised_on,
        'Invoice ' || invoices.invoice_number || ' due ' || cast(invoices.due_date as {{ dbt.type_string() }}) || ', '
            || cast(invoices.days_overdue as {{ dbt.type_string() }}) || ' days overdue, '
            || cast(invoices.outstanding_amount as {{ dbt.type_string() }}) || ' ' || invoices.currency || ' outstanding' as message
    from {{ ref('fct_vendor_invoices') }} as invoices
    inner join thresholds
        on thresholds.alert_type = 'invoice_overdue'
    where invoices.status = 'overdue'
),

deductions as (
    select
        'deduction_above_threshold' as alert_type,
        cast(null as {{ dbt.type_string() }}) as account_id,
        deductions.purchase_order_number,
        deductions.marketplace_id,
        deductions.marketplace_name,
        deductions.vendor_code,
        deductions.currency,
        deductions.related_invoice_number as invoice_number,
        deductions.deduction_id,
        deductions.amount,
        deductions.payment_date as raised_on,
        deductions.deduction_type || ' ' || deductions.deduction_number || ' of '
            || cast(deductions.amount as {{ dbt.type_string() }}) || ' ' || deductions.currency
            || ' in payment ' || deductions.payment_number as message
    from {{ ref('fct_vendor_deductions') }} as deductions
    inner join thresholds
        on thresholds.alert_type = 'deduction_above_threshold'
    where deductions.amount < 0
        and -deductions.amount > thresholds.threshold_amount
),

po_alerts as (
    select alert_type, account_id, purchase_order_number, marketplace_id, marketplace_name, vendor_code, currency,
           invoice_number, deduction_id, amount, raised_on, message
    from cancelled
    union all
    select alert_type, account_id, purchase_order_number, marketplace_id, marketplace_name, vendor_code, currency,
           invoice_number, deduction_id, amount, raised_on, message
    from changed
    union all
    select alert_type, account_id, purchase_order_number, marketplace_id, marketplace_name, vendor_code, currency,
           invoice_number, deduction_id, amount, raised_on, message
    from late
    union all
    select alert_type, account_id, purchase_order_number, marketplace_id, marketplace_name, vendor_code, currency,
           invoice_number, deduction_id, amount, raised_on, message
    from not_invoiced
    union all
    select alert_type, account_id, purchase_order_number, marketplace_id, marketplace_name, vendor_code, currency,
           invoice_number, deduction_id, amount, raised_on, message
    from deadline
),

vendor_alerts as (
    select *, purchase_order_number as entity_id from po_alerts
    union all
    select alert_type, account_id, purchase_order_number, marketplace_id, marketplace_name, vendor_code, currency,
           invoice_number, deduction_id, amount, raised_on, message, vendor_code || ':' || invoice_number as entity_id
    from overdue
    union all
    select alert_type, account_id, purchase_order_number, marketplace_id, marketplace_name, vendor_code, currency,
           invoice_number, deduction_id, amount, raised_on, message, deduction_id as entity_id
    from deductions
),

vendor_rows as (
    select
        'vendor:' || vendor_alerts.alert_type || ':' || vendor_alerts.entity_id as alert_id,
        'vendor' as domain,
        vendor_alerts.alert_type,
        thresholds.severity,
        vendor_alerts.account_id,
        vendor_alerts.marketplace_id,
        vendor_alerts.marketplace_name,
        vendor_alerts.vendor_code,
        vendor_alerts.purchase_order_number,
        vendor_alerts.invoice_number,
        vendor_alerts.deduction_id,
        vendor_alerts.amount,
        vendor_alerts.currency,
        vendor_alerts.raised_on,
        as_of.as_of_date,
        vendor_alerts.message,
        cast(null as {{ dbt.type_string() }}) as store_id,
        vendor_alerts.entity_id as subject,
        {{ evidence_json([('vendor_code', 'vendor_alerts.vendor_code'),
                          ('purchase_order_number', 'vendor_alerts.purchase_order_number'),
                          ('invoice_number', 'vendor_alerts.invoice_number'),
                          ('deduction_id', 'vendor_alerts.deduction_id')]) }} as evidence,
        case vendor_alerts.alert_type
            when 'po_cancelled_after_acknowledgement' then '采购单 ' || vendor_alerts.purchase_order_number || ' 确认后被亚马逊取消'
            when 'po_changed_after_acknowledgement' then '采购单 ' || vendor_alerts.purchase_order_number || ' 确认后被亚马逊修改'
            when 'shipment_late' then '采购单 ' || vendor_alerts.purchase_order_number || ' 晚于发货窗口送达'
            when 'received_not_invoiced' then '采购单 ' || vendor_alerts.purchase_order_number || ' 已收货但未开票'
            when 'invoice_deadline' then '采购单 ' || vendor_alerts.purchase_order_number || ' 收货后临近开票期限仍未开票'
            when 'invoice_overdue' then '发票 ' || vendor_alerts.invoice_number || ' 已逾期未付'
            else '扣款 ' || vendor_alerts.deduction_id || ' 超过阈值' end as message_zh,
        case vendor_alerts.alert_type
            when 'received_not_invoiced' then '用 acorn vendor-invoices 生成并提交发票'
            when 'invoice_deadline' then '在期限前用 acorn vendor-invoices 生成并提交发票'
            when 'invoice_overdue' then '在 Vendor Central 查询付款状态并联系亚马逊'
            when 'deduction_above_threshold' then '核对扣款依据，不合理时在 Vendor Central 提出争议'
            else '在 Vendor Central 核对采购单的变更记录' end as next_step_zh,
        case vendor_alerts.alert_type
            when 'received_not_invoiced' then 'Build and submit the invoice with acorn vendor-invoices'
            when 'invoice_deadline' then 'Build and submit the invoice with acorn vendor-invoices before the deadline'
            when 'invoice_overdue' then 'Check the payment status in Vendor Central and contact Amazon'
            when 'deduction_above_threshold' then 'Check the deduction''s basis and dispute it in Vendor Central if unfounded'
            else 'Check the PO''s change history in Vendor Central' end as next_step_en
    from vendor_alerts
    inner join thresholds
        on thresholds.alert_type = vendor_alerts.alert_type
    cross join as_of
),

seller_rows as (
    select
        seller.alert_id,
        'seller' as domain,
        seller.alert_type,
        seller.severity,
        cast(null as {{ dbt.type_string() }}) as account_id,
        seller.marketplace_id,
        seller.marketplace_name,
        cast(null as {{ dbt.type_string() }}) as vendor_code,
        cast(null as {{ dbt.type_string() }}) as purchase_order_number,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_string() }}) as deduction_id,
        seller.amount,
        seller.currency,
        seller.raised_on,
        as_of.as_of_date,
        seller.message,
        seller.store_id,
        seller.subject,
        seller.evidence,
        seller.message_zh,
        seller.next_step_zh,
        seller.next_step_en
    from {{ ref('int_seller_alerts') }} as seller
    cross join as_of
),

all_alerts as (
    select * from vendor_rows
    union all
    select * from seller_rows
),

-- The latest acknowledgement or resolution of each alert; an alert nobody touched is open.
states as (
    select alert_id, state
    from (
        select
            alert_id,
            state,
            row_number() over (partition by alert_id order by changed_at desc, source_file_sha256 desc, source_line desc) as recency_rank
        from {{ ref('stg_alerts__state_changes') }}
    ) as ranked
    where recency_rank = 1
)

select
    all_alerts.alert_id,
    all_alerts.domain,
    all_alerts.alert_type,
    all_alerts.severity,
    all_alerts.account_id,
    all_alerts.marketplace_id,
    all_alerts.marketplace_name,
    all_alerts.vendor_code,
    all_alerts.purchase_order_number,
    all_alerts.invoice_number,
    all_alerts.deduction_id,
    all_alerts.amount,
    all_alerts.currency,
    all_alerts.raised_on,
    all_alerts.as_of_date,
    all_alerts.message,
    all_alerts.store_id,
    all_alerts.subject,
    all_alerts.evidence,
    -- The day the alert's condition was first met, at 00:00 UTC: a rebuild recomputes the same value.
    cast(all_alerts.raised_on as timestamp) as first_seen_at,
    all_alerts.message_zh,
    all_alerts.next_step_zh,
    all_alerts.next_step_en,
    coalesce(states.state, 'open') as state
from all_alerts
left join states
    on states.alert_id = all_alerts.alert_id
