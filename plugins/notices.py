"""notices: placeholder, being written."""
