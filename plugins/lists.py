"""lists: placeholder, being written."""
