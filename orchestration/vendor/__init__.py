"""Vendor Central extraction in Dagster: assets per source partitioned per vendor account, a daily schedule per account."""
