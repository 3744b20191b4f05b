-- Acknowledgements and resolutions, one row per change (raw.alert_state_changes, written by the Money-at-risk page).
select
    alert_id,
    lower(trim(state)) as state,
    changed_at,
    changed_by,
    note,
    source_file_sha256,
    source_line
from {{ source('alert_inputs', 'alert_state_changes') }}
where lower(trim(state)) in ('open', 'acknowledged', 'resolved')
