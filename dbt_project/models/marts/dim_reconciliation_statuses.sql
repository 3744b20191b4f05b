-- The settlement reconciliation statuses as the reconciliation_statuses seed defines them: what each means,
-- whether it needs someone, and the order reports list them in. Readers take these from here, not from code.
select
    status,
    description,
    needs_attention,
    sort_order
from {{ ref('reconciliation_statuses') }}
