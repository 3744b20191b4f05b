-- Dagster shows this test as a check on the mart it tests (it reads the raw tables too).
{{ config(meta={'dagster': {'ref': {'name': 'fct_settlement_reconciliation'}}}) }}
-- fct_settlement_reconciliation.difference against what the loader wrote: the raw header's total-amount
-- minus the raw lines of the same loaded file, summed here from raw.settlement_lines, not from the mart's
-- own lines_total. A line lost or doubled on its way through staging and intermediate fails this.
with

loaded as (
    select distinct sha256 from {{ source('audit', 'file_loads') }} where status = 'loaded'
),

raw_lines as (
    select settlement_id, sum(amount) as raw_lines_total
    from {{ source('amazon', 'settlement_lines') }}
    where source_file_sha256 in (select sha256 from loaded)
    group by settlement_id
)

select
    recon.settlement_id,
    recon.header_total,
    recon.lines_total,
    recon.difference,
    headers.total_amount as raw_header_total,
    coalesce(raw_lines.raw_lines_total, 0) as raw_lines_total
from {{ ref('fct_settlement_reconciliation') }} as recon
left join {{ source('amazon', 'settlement_headers') }} as headers
    on headers.settlement_id = recon.settlement_id
    and headers.source_file_sha256 = recon.source_file_sha256
left join raw_lines
    on raw_lines.settlement_id = recon.settlement_id
where headers.settlement_id is null
    or recon.header_total <> headers.total_amount
    or recon.difference <> headers.total_amount - coalesce(raw_lines.raw_lines_total, 0)
