select period, closed_at, closed_by, source_file_sha256
from {{ source('books', 'period_closes') }}
