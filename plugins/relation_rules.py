"""relation_rules: placeholder, being written."""
