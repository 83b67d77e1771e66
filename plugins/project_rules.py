"""project_rules: placeholder, being written."""
