"""Extraction from Amazon's Selling Partner API through python-amazon-sp-api.

Settlement report documents go to an inbox the file loader reads; Finances v0 events and groups and
Finances 2024-06-19 transactions are flattened to rows and written to the `raw` tables in `schema.py`.
"""
