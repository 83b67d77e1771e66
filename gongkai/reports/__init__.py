"""The validation report for people (text, the preview banner) and for CI systems."""
