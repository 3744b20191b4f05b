"""SP-API extraction in Dagster: assets per source partitioned per store, a nightly schedule per store, a sensor."""
