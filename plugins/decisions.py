"""decisions: placeholder, being written."""
