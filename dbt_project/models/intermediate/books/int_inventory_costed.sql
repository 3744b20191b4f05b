-- Every stock movement costed by the method var cost_method names ('{{ var("cost_method") }}'): the unit cost
-- applied, the value moved (positive) and the quantity and value in stock after it. See macros/inventory_costing.sql.
{{ inventory_costing(ref('int_inventory_events')) }}
