"""Small edits to a copied portal: change gongkai settings, set one cell, add rows."""
from __future__ import annotations

from pathlib import Path

import yaml
from conftest import read_rows, write_rows


def configure(root: Path, **options) -> None:
    """Update the `gongkai` entry of site_config.yml (comments are dropped; tests do not need them)."""
    path = root / "site_config.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "gongkai" in entry:
            entry["gongkai"] = {**(entry["gongkai"] or {}), **options}
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def set_cell(root: Path, resource: str, index: int, field: str, value: str) -> int:
    """Set one cell of datasets/<resource>.csv; returns the row's line number (header = 1)."""
    rows = read_rows(root, resource)
    rows[index][field] = value
    write_rows(root, resource, rows)
    return index + 2


def add_row(root: Path, resource: str, **values) -> int:
    rows = read_rows(root, resource)
    rows.append({name: values.get(name, "") for name in rows[0]})
    write_rows(root, resource, rows)
    return len(rows) + 1


def luhn_card(prefix: str, suffix: str, length: int) -> str:
    """A card number with that prefix and suffix that passes the Luhn check (middle digits vary)."""
    from gongkai.data.privacy import luhn_ok

    middle = length - len(prefix) - len(suffix)
    for n in range(10 ** middle):
        number = f"{prefix}{n:0{middle}d}{suffix}"
        if luhn_ok(number):
            return number
    raise ValueError("no such number")
