"""output_scan: placeholder, being written."""
