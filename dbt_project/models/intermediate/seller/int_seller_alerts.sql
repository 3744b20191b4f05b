-- Seller alerts, one row per rule and subject, before fct_alerts merges them with the vendor ones. Each rule's
-- parameters come from the alert_rules seed (per-store thresholds from alert_rule_overrides); see the seed's
-- descriptions and docs.md for every rule's exact definition.
with

rules as (
    select * from {{ ref('alert_rules') }} where enabled and domain = 'seller'
),

overrides as (
    select * from {{ ref('alert_rule_overrides') }}
),

as_of as (
    select * from {{ ref('int_seller_as_of') }}
),

today as (
    select as_of_date from {{ ref('int_vendor_as_of') }}
),

daily_loss as (
    select
        'daily_net_loss' as alert_type,
        days.store_id,
        days.store_id || ':' || cast(days.result_date as {{ dbt.type_string() }}) as subject,
        -days.net_result as amount,
        days.currency,
        days.result_date as raised_on,
        {{ evidence_json([('store_id', 'days.store_id'), ('result_date', 'days.result_date'),
                          ('net_result', 'days.net_result'), ('advertising', 'days.advertising'),
                          ('refunds', 'days.refunds')]) }} as evidence,
        'Store ' || days.store_id || ' lost ' || cast(-days.net_result as {{ dbt.type_string() }}) || ' ' || days.currency
            || ' on ' || cast(days.result_date as {{ dbt.type_string() }}) || ' (threshold '
            || cast(coalesce(overrides.threshold, rules.threshold) as {{ dbt.type_string() }}) || ')' as message,
        '店铺 ' || days.store_id || ' 在 ' || cast(days.result_date as {{ dbt.type_string() }}) || ' 单日亏损 '
            || cast(-days.net_result as {{ dbt.type_string() }}) || ' ' || days.currency || '，超过阈值' as message_zh,
        '核对当天的广告、退款和费用明细（fct_ledger），确认是否为异常扣款' as next_step_zh,
        'Check that day''s advertising, refunds and fees in fct_ledger for an unexpected debit' as next_step_en
    from {{ ref('fct_store_daily_results') }} as days
    inner join rules
        on rules.rule = 'daily_net_loss'
    left join overrides
        on overrides.rule = rules.rule and overrides.store_id = days.store_id
    where -days.net_result > coalesce(overrides.threshold, rules.threshold)
        and (rules.threshold_currency is null or rules.threshold_currency = days.currency
             or overrides.threshold is not null)
),

latest_weeks as (
    select
        weeks.*,
        rules.threshold,
        rules.min_count
    from {{ ref('fct_refund_rates') }} as weeks
    inner join as_of
        on as_of.store_id = weeks.store_id
    inner join rules
        on rules.rule = 'refund_rate_spike'
    where weeks.grain = 'store'
        -- the store's latest complete week: it ends before the latest data day, within window_days of it
        and weeks.week_end < as_of.data_as_of
        and weeks.week_end >= cast({{ dbt.dateadd('day', '-rules.window_days', 'as_of.data_as_of') }} as date)
),

refund_spike as (
    select
        'refund_rate_spike' as alert_type,
        store_id,
        store_id || ':' || cast(week_start as {{ dbt.type_string() }}) as subject,
        principal_refunded as amount,
        currency,
        week_end as raised_on,
        {{ evidence_json([('store_id', 'store_id'), ('week_start', 'week_start'), ('units_sold', 'units_sold'),
                          ('units_refunded', 'units_refunded'), ('refund_rate', 'refund_rate'),
                          ('baseline_refund_rate', 'baseline_refund_rate')]) }} as evidence,
        'Store ' || store_id || ' refund rate ' || cast(cast(refund_rate * 100 as {{ money(1) }}) as {{ dbt.type_string() }})
            || '% in the week of ' || cast(week_start as {{ dbt.type_string() }}) || ' against a baseline of '
            || cast(cast(baseline_refund_rate * 100 as {{ money(1) }}) as {{ dbt.type_string() }}) || '%' as message,
        '店铺 ' || store_id || ' 在 ' || cast(week_start as {{ dbt.type_string() }}) || ' 这一周的退款率为 '
            || cast(cast(refund_rate * 100 as {{ money(1) }}) as {{ dbt.type_string() }}) || '%，前四周基线为 '
            || cast(cast(baseline_refund_rate * 100 as {{ money(1) }}) as {{ dbt.type_string() }}) || '%' as message_zh,
        '按 SKU 查看退款率（fct_refund_rates），检查商品质量、描述或物流问题' as next_step_zh,
        'Look at the refund rate per SKU (fct_refund_rates) for a product, listing or delivery problem' as next_step_en
    from latest_weeks
    where baseline_refund_rate > 0
        and units_refunded >= coalesce(min_count, 0)
        and refund_rate >= baseline_refund_rate * (1 + threshold)
),

recent_claims as (
    select claims.*, rules.rule
    from {{ ref('fct_claims') }} as claims
    inner join as_of
        on as_of.store_id = claims.store_id
    inner join rules
        on rules.rule = case when claims.claim_type = 'a_to_z' then 'a_to_z_claim' else claims.claim_type end
    where claims.claim_type in ('a_to_z', 'chargeback')
        and claims.opened_on > cast({{ dbt.dateadd('day', '-rules.window_days', 'as_of.data_as_of') }} as date)
),

claim_alerts as (
    select
        case when claim_type = 'a_to_z' then 'a_to_z_claim' else 'chargeback' end as alert_type,
        store_id,
        order_id as subject,
        amount,
        currency,
        opened_on as raised_on,
        {{ evidence_json([('order_id', 'order_id'), ('sku', 'sku'), ('settlement_id', 'settlement_id'),
                          ('opened_on', 'opened_on'), ('state', 'state'), ('source', 'source')]) }} as evidence,
        case when claim_type = 'a_to_z' then 'A-to-z Guarantee claim' else 'Chargeback' end || ' on order ' || order_id
            || ' (' || cast(amount as {{ dbt.type_string() }}) || ' ' || currency || ', ' || state || ')' as message,
        '订单 ' || order_id || ' 出现' || case when claim_type = 'a_to_z' then '亚马逊商城交易保障索赔（A-to-z）' else '信用卡拒付（Chargeback）' end
            || '，金额 ' || cast(amount as {{ dbt.type_string() }}) || ' ' || currency as message_zh,
        case when claim_type = 'a_to_z' then '在卖家平台“索赔”页面查看并在期限内申诉，附上物流和沟通记录'
             else '在卖家平台回应拒付，提供发货与签收证明' end as next_step_zh,
        case when claim_type = 'a_to_z' then 'Review the claim in Seller Central and appeal in time with tracking and messages'
             else 'Respond to the chargeback in Seller Central with proof of shipment and delivery' end as next_step_en
    from recent_claims
),

safet_alerts as (
    select
        'safet_deadline' as alert_type,
        claims.store_id,
        claims.order_id as subject,
        claims.amount,
        claims.currency,
        {{ greatest_non_null('claims.refund_date', 'cast(' ~ dbt.dateadd('day', '-rules.window_days', 'claims.filing_deadline') ~ ' as date)') }} as raised_on,
        {{ evidence_json([('order_id', 'claims.order_id'), ('sku', 'claims.sku'), ('refund_date', 'claims.refund_date'),
                          ('filing_deadline', 'claims.filing_deadline')]) }} as evidence,
        'SAFE-T claim for order ' || claims.order_id || ' must be filed by '
            || cast(claims.filing_deadline as {{ dbt.type_string() }}) || ' (' || cast(claims.amount as {{ dbt.type_string() }})
            || ' ' || claims.currency || ' refunded)' as message,
        '订单 ' || claims.order_id || ' 的 SAFE-T 索赔须在 ' || cast(claims.filing_deadline as {{ dbt.type_string() }})
            || ' 前提交（已退款 ' || cast(claims.amount as {{ dbt.type_string() }}) || ' ' || claims.currency || '）' as message_zh,
        '在卖家平台提交 SAFE-T 索赔，附上退货状况照片和物流记录' as next_step_zh,
        'File the SAFE-T claim in Seller Central with photos of the returned item and the tracking' as next_step_en
    from {{ ref('fct_claims') }} as claims
    cross join today
    inner join rules
        on rules.rule = 'safet_deadline'
    where claims.claim_type = 'safet'
        and claims.state = 'not_filed'
        and claims.filing_deadline >= today.as_of_date
        and claims.filing_deadline <= cast({{ dbt.dateadd('day', 'rules.window_days', 'today.as_of_date') }} as date)
),

opportunity_alerts as (
    select
        'reimbursement_opportunity' as alert_type,
        store_id,
        opportunity_id as subject,
        amount,
        currency,
        detected_on as raised_on,
        evidence,
        case opportunity_type
            when 'refund_not_returned' then 'Order ' || order_id || ' refunded, item not returned within 45 days and not reimbursed'
            when 'damaged_return_not_reimbursed' then 'Return of order ' || order_id || ' damaged by Amazon or its carrier, not reimbursed'
            else 'Reimbursement ' || reimbursement_id || ' reversed' end as message,
        case opportunity_type
            when 'refund_not_returned' then '订单 ' || order_id || ' 已退款，但 45 天内未退货，也未获赔偿'
            when 'damaged_return_not_reimbursed' then '订单 ' || order_id || ' 的退货被亚马逊仓库或承运人损坏，未获赔偿'
            else '赔偿 ' || reimbursement_id || ' 被撤回' end as message_zh,
        case opportunity_type
            when 'reimbursement_reversed' then '核对撤回原因与库存去向，不合理时开案申诉'
            else '在卖家平台开案（FBA 库存赔偿），附上证据中的订单号和日期' end as next_step_zh,
        case opportunity_type
            when 'reimbursement_reversed' then 'Check the reversal against the unit''s fate and open a case if it is wrong'
            else 'Open an FBA reimbursement case in Seller Central with the order id and dates of the evidence' end as next_step_en
    from {{ ref('fct_reimbursement_opportunities') }}
    inner join rules
        on rules.rule = 'reimbursement_opportunity'
),

settlement_alerts as (
    select
        case when recon.status = 'mismatch' then 'settlement_mismatch' else recon.status end as alert_type,
        recon.store_id,
        recon.settlement_id as subject,
        case when recon.status = 'mismatch' then recon.difference
             when recon.status = 'deposit_short' then recon.bank_difference
             else recon.header_total end as amount,
        recon.currency,
        coalesce(recon.deposit_date, recon.period_end) as raised_on,
        {{ evidence_json([('settlement_id', 'recon.settlement_id'), ('deposit_date', 'recon.deposit_date'),
                          ('header_total', 'recon.header_total'), ('lines_total', 'recon.lines_total'),
                          ('bank_amount', 'recon.bank_amount'), ('source_file_name', 'recon.source_file_name')]) }} as evidence,
        'Settlement ' || recon.settlement_id || ': ' || recon.status || ' (total '
            || cast(recon.header_total as {{ dbt.type_string() }}) || ' ' || recon.currency || ')' as message,
        '结算单 ' || recon.settlement_id || ' ' || case recon.status when 'mismatch' then '明细合计与总额不符'
            when 'deposit_missing' then '未找到对应的银行到账' else '银行到账金额不足' end
            || '（总额 ' || cast(recon.header_total as {{ dbt.type_string() }}) || ' ' || recon.currency || '）' as message_zh,
        case recon.status when 'mismatch' then '重新下载该结算报告并核对明细'
            else '核对银行流水；确认后在卖家平台查询付款状态' end as next_step_zh,
        case recon.status when 'mismatch' then 'Download the settlement report again and compare its lines'
            else 'Check the bank statement, then the disbursement status in Seller Central' end as next_step_en
    from {{ ref('fct_settlement_reconciliation') }} as recon
    inner join rules
        on rules.rule = case when recon.status = 'mismatch' then 'settlement_mismatch' else recon.status end
    where recon.status in ('mismatch', 'deposit_missing', 'deposit_short')
),

unknown_fees as (
    select
        'unknown_fee_type' as alert_type,
        fees.store_id,
        fees.settlement_id || ':' || coalesce(fees.transaction_type, '') || '/' || coalesce(fees.amount_type, '') || '/'
            || coalesce(fees.amount_description, '') as subject,
        sum(fees.amount) as amount,
        min(fees.currency) as currency,
        min(fees.posted_date) as raised_on,
        {{ evidence_json([('settlement_id', 'fees.settlement_id'), ('transaction_type', 'fees.transaction_type'),
                          ('amount_type', 'fees.amount_type'), ('amount_description', 'fees.amount_description')]) }} as evidence,
        'Unclassified fee ' || coalesce(fees.transaction_type, '') || ' / ' || coalesce(fees.amount_type, '') || ' / '
            || coalesce(fees.amount_description, '') || ' in settlement ' || fees.settlement_id as message,
        '结算单 ' || fees.settlement_id || ' 出现未知费用类型 ' || coalesce(fees.amount_description, '') as message_zh,
        '在 fee_taxonomy 种子中为该费用类型添加分类' as next_step_zh,
        'Classify the fee type in the fee_taxonomy seed' as next_step_en
    from {{ ref('fct_unclassified_fees') }} as fees
    inner join rules
        on rules.rule = 'unknown_fee_type'
    group by fees.store_id, fees.settlement_id, fees.transaction_type, fees.amount_type, fees.amount_description
),

authorizations as (
    select
        auths.*,
        cast({{ dbt.dateadd('day', 365, 'auths.authorized_at') }} as date) as expires_on
    from {{ source('alert_inputs', 'spapi_authorizations') }} as auths
    where auths.authorized_at is not null
),

expiring as (
    select
        'authorization_expiring' as alert_type,
        cast(null as {{ dbt.type_string() }}) as store_id,
        authorizations.account_id as subject,
        cast(null as {{ money() }}) as amount,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast({{ dbt.dateadd('day', '-rules.window_days', 'authorizations.expires_on') }} as date) as raised_on,
        {{ evidence_json([('account_id', 'authorizations.account_id'), ('authorized_at', 'authorizations.authorized_at'),
                          ('expires_on', 'authorizations.expires_on')]) }} as evidence,
        'SP-API authorization of ' || authorizations.account_id || ' expires on '
            || cast(authorizations.expires_on as {{ dbt.type_string() }}) as message,
        '账号 ' || authorizations.account_id || ' 的 SP-API 授权将于 ' || cast(authorizations.expires_on as {{ dbt.type_string() }})
            || ' 到期' as message_zh,
        '在卖家平台重新授权应用，并更新配置中的 refresh token 和 authorized_at' as next_step_zh,
        'Re-authorize the app in Seller Central and update the refresh token and authorized_at in the config' as next_step_en
    from authorizations
    cross join today
    inner join rules
        on rules.rule = 'authorization_expiring'
    where authorizations.expires_on <= cast({{ dbt.dateadd('day', 'rules.window_days', 'today.as_of_date') }} as date)
),

changed_columns as (
    select
        'report_columns_changed' as alert_type,
        cast(null as {{ dbt.type_string() }}) as store_id,
        kind || ':' || column_name as subject,
        cast(null as {{ money() }}) as amount,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast(min(seen_at) as date) as raised_on,
        {{ evidence_json([('kind', 'kind'), ('column_name', 'column_name'), ('first_file_name', 'min(file_name)')]) }} as evidence,
        'Report ' || kind || ' has a column ACORN does not know: ' || column_name || ' (not stored)' as message,
        '报表 ' || kind || ' 出现未知列 ' || column_name || '（未入库）' as message_zh,
        '确认亚马逊是否更改了报表格式，并更新解析器' as next_step_zh,
        'Check whether Amazon changed the report format and update the parser' as next_step_en
    from {{ source('report_audit', 'report_unknown_columns') }}
    inner join rules
        on rules.rule = 'report_columns_changed'
    group by kind, column_name
),

last_synced as (
    select account_id, source, max(window_end) as synced_until
    from {{ source('spapi_audit', 'sync_log') }}
    where status = 'complete'
    group by account_id, source
),

stale_sources as (
    select
        'source_not_synced' as alert_type,
        cast(null as {{ dbt.type_string() }}) as store_id,
        last_synced.account_id || ':' || last_synced.source as subject,
        cast(null as {{ money() }}) as amount,
        cast(null as {{ dbt.type_string() }}) as currency,
        cast({{ dbt.dateadd('day', 'rules.window_days + 1', 'cast(last_synced.synced_until as date)') }} as date) as raised_on,
        {{ evidence_json([('account_id', 'last_synced.account_id'), ('source', 'last_synced.source'),
                          ('synced_until', 'last_synced.synced_until')]) }} as evidence,
        'Source ' || last_synced.source || ' of ' || last_synced.account_id || ' not synced since '
            || cast(last_synced.synced_until as {{ dbt.type_string() }}) as message,
        '账号 ' || last_synced.account_id || ' 的数据源 ' || last_synced.source || ' 自 '
            || cast(last_synced.synced_until as {{ dbt.type_string() }}) || ' 起未同步' as message_zh,
        '查看 audit.sync_log 中的错误，检查授权与网络后重新同步' as next_step_zh,
        'Read the errors in audit.sync_log, check the authorization and network, and sync again' as next_step_en
    from last_synced
    cross join today
    inner join rules
        on rules.rule = 'source_not_synced'
    where {{ dbt.datediff('cast(last_synced.synced_until as date)', 'today.as_of_date', 'day') }} > rules.window_days
),

alerts as (
    select * from daily_loss
    union all select * from refund_spike
    union all select * from claim_alerts
    union all select * from safet_alerts
    union all select * from opportunity_alerts
    union all select * from settlement_alerts
    union all select * from unknown_fees
    union all select * from expiring
    union all select * from changed_columns
    union all select * from stale_sources
)

select
    'seller:' || alerts.alert_type || ':' || alerts.subject as alert_id,
    alerts.alert_type,
    rules.severity,
    alerts.store_id,
    stores.marketplace_id,
    stores.marketplace_name,
    alerts.subject,
    alerts.amount,
    alerts.currency,
    alerts.raised_on,
    alerts.evidence,
    alerts.message,
    alerts.message_zh,
    alerts.next_step_zh,
    alerts.next_step_en
from alerts
inner join rules
    on rules.rule = alerts.alert_type
left join as_of as stores
    on stores.store_id = alerts.store_id
