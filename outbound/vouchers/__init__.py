"""记账凭证 out of the journal (`acorn export vouchers`): layouts as configuration files, one voucher per entry."""
