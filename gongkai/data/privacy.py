"""Personal data in text: mainland mobile numbers, resident ID numbers and bank card numbers.

Pure functions shared by the privacy guard (validation, masking) and the post-build scan. Numbers are
found however staff type them: text is folded first (NFKC digits such as full-width １３８, every dash
and space variant, invisible characters dropped), and positions are mapped back, so masking hides the
number as written. A match must not touch another digit; `strict_edges` also refuses a neighbouring
ASCII letter, so hex hashes in generated files are not mistaken for numbers.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

MOBILE, RESIDENT_ID, BANK_CARD = "手机号", "身份证号", "银行卡号"

_MOBILE = r"(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}"
#: 18 characters, also written 6-8-4 or 6-4-4-4 with spaces or hyphens
_ID18 = r"[1-9]\d{5}[-\s]?(?:18|19|20)\d{2}[-\s]?[01]\d[0-3]\d[-\s]?\d{3}[\dXx]"
_ID15 = r"[1-9]\d{5}\d{2}[01]\d[0-3]\d\d{3}"
_CARD = r"\d{4}(?:[-\s]?\d{4}){3}(?:[-\s]?\d{1,3})?"
_ANY = f"(?:{_ID18}|{_CARD}|{_ID15}|{_MOBILE})"
_PATTERNS = {
    False: re.compile(rf"(?<!\d){_ANY}(?![\dXx])", re.ASCII),
    True: re.compile(rf"(?<![0-9A-Za-z]){_ANY}(?![0-9A-Za-z])", re.ASCII),
}
#: separator positions (digits before them) an 18-character ID may be written with
ID_GROUPS = {6, 10, 14}
#: a number Excel turned into scientific notation (10 or more digits): 1.10105E+17, 1.38123E+10
EXCEL_NUMBER = re.compile(r"^\s*\d(?:\.\d+)?[eE]\+?(?:9|[1-9]\d)\s*$")


@dataclass(frozen=True)
class Hit:
    kind: str  # MOBILE, RESIDENT_ID or BANK_CARD
    start: int
    end: int
    digits: str  # the number without separators (X upper-case)

    @property
    def masked(self) -> str:
        return mask_digits(self.kind, self.digits)


def _folding_table() -> tuple[dict[int, str], frozenset[str]]:
    """Characters read as an ASCII digit, "+", "X" or "x" (their NFKC form), as a hyphen (every dash)
    or as a space (every space); and the invisible ones (format characters) that are dropped."""
    table: dict[int, str] = {}
    invisible: set[str] = set()
    for cp in (*range(0x80, 0x10000), *range(0x1D7CE, 0x1D800), *range(0x1FBF0, 0x1FBFA)):
        char = chr(cp)
        category = unicodedata.category(char)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded.isascii() and (folded.isdigit() or folded in "+Xx-"):
            table[cp] = folded
        elif category == "Pd" or char in "\u2212\u2043\ufe63":
            table[cp] = "-"
        elif category == "Zs" or char in "\u3000":
            table[cp] = " "
        elif category == "Cf":
            invisible.add(char)
    return table, frozenset(invisible)


_FOLD, _INVISIBLE = _folding_table()
_INVISIBLE_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(_INVISIBLE)) + "]")
#: every number the patterns match has 11 digits or more, of any script (\d), with at most a few other
#: characters between two of them: only such stretches of a text are folded and matched, which is
#: several times faster on a page of words. They are the matches of r"\d(?:\D{0,3}\d){10,}",
#: but a stretch is tried only from its first digit (the lookbehinds refuse a digit with another at most
#: four characters before it): a later start finds a shorter stretch, and on digit-dense text (dates,
#: ids, the history's changes.json) trying each digit of each short stretch took most of the time
_CANDIDATE = re.compile(r"\d(?<!\d\d)(?<!\d\D\d)(?<!\d\D\D\d)(?<!\d\D\D\D\d)(?:\D{0,3}\d){10,}")
#: inside a folded stretch, every match lies inside one such run (digits, spaces and hyphens, a leading
#: "+", a final "X"; 11 characters or more)
_RUN = re.compile(r"[+\d][\d\s+-]{9,}[\dXx]", re.ASCII)


def fold(text: str) -> tuple[str, list[int] | None]:
    """`text` as a number reader sees it, and for each of its characters the index in `text` (None
    when the positions did not move: no invisible character was dropped, as in most text)."""
    if text.isascii():
        return text, None
    if not _INVISIBLE_RE.search(text):
        return text.translate(_FOLD), None
    out, index = [], []
    for i, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        out.append(_FOLD.get(ord(char), char))
        index.append(i)
    return "".join(out), index


def find(text: str, strict_edges: bool = False) -> list[Hit]:
    """Every personal-data number in `text`, in order; positions are those of `text` as given."""
    pattern, hits = _PATTERNS[strict_edges], []
    for candidate in _CANDIDATE.finditer(text):
        # the stretch with three characters of context each side: a "+86 " before, an "X" after, the edges
        offset = max(candidate.start() - 4, 0)
        folded, index = fold(text[offset:candidate.end() + 2])
        for run in _RUN.finditer(folded):
            for match in pattern.finditer(folded, run.start(), run.end() + 1):
                digits = re.sub(r"[^\dXx]", "", match.group(), flags=re.ASCII).upper()
                kind = classify(digits, match.group())
                if kind:
                    start, end = (match.start(), match.end()) if index is None else (index[match.start()], index[match.end() - 1] + 1)
                    hits.append(Hit(kind, offset + start, offset + end, digits))
    return hits


def classify(digits: str, written: str = "") -> str | None:
    """The kind of a separator-free number, or None when it is none of the three."""
    if len(digits) == 18 and _plausible_birth(digits[6:14]) and _separators(written) <= ID_GROUPS:
        return RESIDENT_ID
    if len(digits) == 15 and digits.isdigit() and _plausible_birth("19" + digits[6:12]) and not re.search(r"[-\s]", written):
        return RESIDENT_ID
    if 16 <= len(digits) <= 19 and digits.isdigit() and luhn_ok(digits):
        return BANK_CARD
    mobile = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
    if len(mobile) == 11 and re.fullmatch(r"1[3-9]\d{9}", mobile) and (len(digits) == 11 or _has_country_code(written)):
        return MOBILE
    return None


def _separators(written: str) -> set[int]:
    """How many digits come before each separator of a number as written (6 and 14 for 6-8-4)."""
    positions, digits = set(), 0
    for char in written:
        if char.isdigit() or char in "Xx":
            digits += 1
        elif char in "- \t\n":
            positions.add(digits)
    return positions


def _has_country_code(written: str) -> bool:
    return written.lstrip().startswith(("+86", "86"))


def _plausible_birth(yyyymmdd: str) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date(2100, 12, 31)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def id_checksum_ok(number: str) -> bool:
    """The ISO 7064 MOD 11-2 check character of an 18-character resident ID."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    if len(number) != 18 or not number[:17].isdigit():
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(number, weights)) % 11]
    return number[17].upper() == check


def mask_digits(kind: str, digits: str) -> str:
    """138****1234, 1101**********1234, 622202*********0007."""
    if kind == MOBILE:
        digits = digits[-11:]
        return digits[:3] + "****" + digits[-4:]
    keep = 4 if kind == RESIDENT_ID else 6
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def mask(text: str, keep: set[str] | frozenset = frozenset()) -> str:
    """`text` with every personal-data number replaced by its mask, but those whose `number_key` is in
    `keep` (the numbers a portal publishes on purpose)."""
    out, last = [], 0
    for hit in find(text):
        if number_key(hit) in keep:
            continue
        out.append(text[last:hit.start])
        out.append(hit.masked)
        last = hit.end
    out.append(text[last:])
    return "".join(out)


def number_key(hit: Hit) -> str:
    """The same number however it is written (a mobile with or without +86)."""
    return hit.digits[-11:] if hit.kind == MOBILE else hit.digits


def public_numbers(records: dict, public_fields) -> set[str]:
    """Keys of the numbers in fields a portal declared public (`units.contact`): those may be published."""
    allowed = set()
    for entry in public_fields or ():
        name, _, field = str(entry).partition(".")
        for record in records.get(name, []):
            value = record.get(field)
            if isinstance(value, str):
                allowed.update(number_key(hit) for hit in find(value))
    return allowed


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小娜 → 欧**娜 (names of private persons)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def excel_number(text: str) -> bool:
    """True for a long number that Excel stored in scientific notation (digits already lost)."""
    return bool(EXCEL_NUMBER.match(text))


