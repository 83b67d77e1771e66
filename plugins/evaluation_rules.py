"""evaluation_rules: placeholder, being written."""
