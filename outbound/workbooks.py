"""XLSX bytes that depend on the content alone, so re-exporting a closed period gives a byte-identical file.

openpyxl's `save` stamps the document properties with the current time and zipfile stamps each member with the
local clock; both are fixed here to a time the caller derives from the data.
"""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter


def stable_xlsx_bytes(book: Workbook, stamp: datetime) -> bytes:
    book.properties.creator = "ACORN"
    book.properties.created = stamp
    book.properties.modified = stamp
    written = io.BytesIO()
    # ExcelWriter, not Workbook.save: save() overwrites `modified` with now.
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).save()
    stable = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = member.external_attr
            target.writestr(fixed, source.read(member.filename))
    return stable.getvalue()
