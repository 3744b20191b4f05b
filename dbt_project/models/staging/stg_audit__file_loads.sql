with

source as (
    select * from {{ source('audit', 'file_loads') }}
),

renamed as (
    select
        sha256 as source_file_sha256,
        file_name,
        kind,
        received_at,
        status,
        message,
        rows_loaded,
        archive_path

    from source
)

select * from renamed
