"""Sample data, the local SP-API and the demo flows with their answer-key checks; nothing in the product imports this."""
