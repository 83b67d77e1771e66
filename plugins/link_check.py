"""link_check: placeholder, being written."""
