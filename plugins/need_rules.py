"""need_rules: placeholder, being written."""
