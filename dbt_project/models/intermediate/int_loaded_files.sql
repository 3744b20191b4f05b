-- Files the loader accepted. Only their rows reach the ledger: a duplicate or quarantined file never does.
select
    source_file_sha256,
    min(file_name) as source_file_name,
    min(kind) as kind,
    max(received_at) as received_at
from {{ ref('stg_audit__file_loads') }}
where status = 'loaded'
group by source_file_sha256
