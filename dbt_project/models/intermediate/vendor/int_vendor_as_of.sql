-- The day vendor ages, overdue days and days in stage are measured on: var as_of (an ISO date, for
-- reproducible runs and tests), else today. One row.
select
    {%- if var('as_of', none) %}
    cast('{{ var("as_of") }}' as date) as as_of_date
    {%- else %}
    cast({{ dbt.current_timestamp() }} as date) as as_of_date
    {%- endif %}
