select * from {{ source('books', 'closed_journal_lines') }}
