"""unit_rules: placeholder, being written."""
