"""What reads the marts and acts: exports for audit and tax, vendor invoices built and submitted."""
