{%- set rounds = 3 -%}
-- Each settlement with a non-zero total matched to at most one bank row, and each bank row to at most
-- one settlement. Candidates: the deposit currency, same sign, booked from the day before the deposit date
-- to seven days after. The deposit currency is the settlement's own, unless the financial event group
-- matched to the settlement says Amazon converted the payout (converted_currency differs): then the bank
-- row is sought in converted_currency for converted_total. Preference: the reference names the settlement
-- id, then the exact amount, then the nearest date. A pair is taken when each is the other's first choice;
-- {{ rounds }} rounds let a settlement fall back to its next choice when another settlement took its first.
-- bank_amount is in the settlement currency (a converted deposit is restated at Amazon's own rate,
-- header_total / converted_total, so an exact deposit equals header_total); deposit_amount and
-- deposit_currency are the bank row as booked.
with

converted as (
    select
        matches.settlement_id,
        groups.converted_currency,
        groups.converted_total
    from {{ ref('int_event_group_settlements') }} as matches
    inner join {{ ref('int_event_groups') }} as groups
        on groups.account_id = matches.account_id
        and groups.group_id = matches.group_id
    where matches.settlement_id is not null
        and groups.converted_currency is not null
        and groups.converted_currency <> groups.original_currency
        and coalesce(groups.converted_total, 0) <> 0
),

settlements as (
    select
        settlements.settlement_id,
        settlements.header_total,
        settlements.deposit_date,
        converted.settlement_id is not null as is_converted,
        coalesce(converted.converted_currency, settlements.currency) as deposit_currency,
        coalesce(converted.converted_total, settlements.header_total) as deposit_total
    from {{ ref('int_settlements') }} as settlements
    left join converted
        on converted.settlement_id = settlements.settlement_id
    where settlements.header_total <> 0 and settlements.deposit_date is not null
),

bank as (
    select * from {{ ref('stg_bank__transactions') }}
),

candidates as (
    select
        settlements.settlement_id,
        bank.source_file_sha256 as bank_file_sha256,
        bank.source_line as bank_source_line,
        bank.account_id as bank_account_id,
        bank.booking_date as bank_date,
        bank.amount as deposit_amount,
        bank.currency as deposit_currency,
        case
            when not settlements.is_converted then bank.amount
            when bank.amount = settlements.deposit_total then settlements.header_total
            else cast({{ quotient('bank.amount * settlements.header_total', 'settlements.deposit_total', 2, 2) }} as {{ money() }})
        end as bank_amount,
        bank.reference as bank_reference,
        case when {{ dbt.position('settlements.settlement_id', "coalesce(bank.reference, '')") }} > 0 then 0 else 1 end as reference_rank,
        case when bank.amount = settlements.deposit_total then 0 else 1 end as amount_rank,
        abs({{ dbt.datediff('settlements.deposit_date', 'bank.booking_date', 'day') }}) as day_distance
    from settlements
    inner join bank
        on bank.currency = settlements.deposit_currency
        and bank.booking_date >= cast({{ dbt.dateadd('day', -1, 'settlements.deposit_date') }} as date)
        and bank.booking_date <= cast({{ dbt.dateadd('day', 7, 'settlements.deposit_date') }} as date)
        and ((settlements.deposit_total > 0 and bank.amount > 0) or (settlements.deposit_total < 0 and bank.amount < 0))
),

{% for r in range(1, rounds + 1) %}
open_{{ r }} as (
    select *
    from candidates
    {% if r > 1 %}
    where settlement_id not in (
        {% for p in range(1, r) %}select settlement_id from matched_{{ p }}{{ ' union all ' if not loop.last }}{% endfor %}
    )
    and bank_file_sha256 || '#' || cast(bank_source_line as {{ dbt.type_string() }}) not in (
        {% for p in range(1, r) %}select bank_key from matched_{{ p }}{{ ' union all ' if not loop.last }}{% endfor %}
    )
    {% endif %}
),

ranked_{{ r }} as (
    select
        *,
        row_number() over (
            partition by settlement_id
            order by reference_rank, amount_rank, day_distance, bank_date, bank_file_sha256, bank_source_line
        ) as settlement_choice,
        row_number() over (
            partition by bank_file_sha256, bank_source_line
            order by reference_rank, amount_rank, day_distance, settlement_id
        ) as bank_choice
    from open_{{ r }}
),

matched_{{ r }} as (
    select
        *,
        bank_file_sha256 || '#' || cast(bank_source_line as {{ dbt.type_string() }}) as bank_key,
        {{ r }} as match_round
    from ranked_{{ r }}
    where settlement_choice = 1 and bank_choice = 1
),
{% endfor %}

matches as (
    {% for r in range(1, rounds + 1) %}
    select * from matched_{{ r }}{{ ' union all ' if not loop.last }}
    {% endfor %}
)

select
    settlement_id,
    bank_account_id,
    bank_date,
    bank_amount,
    deposit_amount,
    deposit_currency,
    bank_reference,
    reference_rank = 0 as matched_by_reference,
    match_round,
    bank_file_sha256,
    bank_source_line
from matches
