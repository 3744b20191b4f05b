"""The money-at-risk reports through the Reports API: createReport for a window, getReport until done, then the
document, downloaded and gunzipped like a settlement report and handed to the file loader through the inbox.

Unlike settlement reports these are requested (createReport with dataStartTime/dataEndTime and the account's
marketplaces). Amazon answers CANCELLED when a window holds no data: nothing to download then. The returns report
takes at most 60 days per request.
"""
from __future__ import annotations

from datetime import datetime, timedelta

# sync source -> (report type, longest window Amazon accepts)
REPORT_SOURCES: dict[str, tuple[str, timedelta]] = {
    "fba_reimbursements": ("GET_FBA_REIMBURSEMENTS_DATA", timedelta(days=90)),
    "fba_customer_returns": ("GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", timedelta(days=90)),
    "seller_returns": ("GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", timedelta(days=60)),
}
DONE, CANCELLED, FATAL = "DONE", "CANCELLED", "FATAL"


class ReportFailed(RuntimeError):
    """Amazon gave up on a requested report (FATAL), or it did not finish in time."""


def inbox_file_name(source: str, account_id: str, start: datetime, end: datetime) -> str:
    return f"{source}_{account_id}_{start:%Y%m%d}_{end:%Y%m%d}.txt"
