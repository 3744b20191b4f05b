"""Vendor Central sources: purchase orders, their status, Finances invoices, Vendor Central exports, own invoices.

Table contract: `schema.py`; overview: `docs/vendor.md`.
"""
