"""open_data: placeholder, being written."""
