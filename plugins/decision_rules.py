"""decision_rules: placeholder, being written."""
