"""The privacy guard: detection and masking (gongkai.data.privacy), validation findings, masking in
every output, and that a portal cannot switch the guard off by accident."""
from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest
from conftest import TODAY, build_site, codes, read_rows, validate
from hostile.editing import add_row, configure, luhn_card, set_cell

from gongkai.data.privacy import (
    BANK_CARD,
    MOBILE,
    RESIDENT_ID,
    excel_number,
    find,
    id_checksum_ok,
    mask,
    mask_name,
)
from gongkai.plugin_manager import create_plugin_manager
from gongkai.settings import ConfigError, Settings

CARD19 = luhn_card("622202", "0007", 19)  # 6222020000000030007
CARD16 = luhn_card("6222", "1234", 16)
ID_OK = "11010519491231002X"  # valid check character
ID_BAD_CHECK = "110105199001011234"  # plausible, wrong check character: still someone's ID


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize("text, kind, masked", [
    ("13812345678", MOBILE, "138****5678"),
    ("请拨打 138-1234-5678 联系", MOBILE, "138****5678"),
    ("+86 138 1234 5678", MOBILE, "138****5678"),
    ("电话19912345678。", MOBILE, "199****5678"),
    (ID_OK, RESIDENT_ID, "1101**********002X"),
    (ID_BAD_CHECK, RESIDENT_ID, "1101**********1234"),
    ("身份证 110105491231002", RESIDENT_ID, "1101*******1002"),
    (CARD19, BANK_CARD, "622202*********0007"),
    (CARD16, BANK_CARD, "622200******1234"),
    (" ".join(CARD16[i:i + 4] for i in range(0, 16, 4)), BANK_CARD, "622200******1234"),
])
def test_finds_and_masks_each_kind(text, kind, masked):
    hits = find(text)
    assert [(h.kind, h.masked) for h in hits] == [(kind, masked)]
    assert masked in mask(text)


def test_checksum_does_not_decide_whether_an_id_is_flagged():
    assert id_checksum_ok(ID_OK) and not id_checksum_ok(ID_BAD_CHECK)
    assert [h.kind for h in find(ID_BAD_CHECK)] == [RESIDENT_ID]


@pytest.mark.parametrize("text", [
    "0592-5550100",            # office line
    "12345热线",               # hotline
    "2025-03-15",              # date
    "4519500",                 # amount
    "1381234567",              # 10 digits
    "138123456789",            # 12 digits
    "11010519901345123X",      # 18 characters, month 13: no birth date
    CARD16[:-1] + str((int(CARD16[-1]) + 1) % 10),  # fails Luhn
    "XM2025-001",
])
def test_ordinary_numbers_are_not_personal_data(text):
    assert find(text) == []
    assert mask(text) == text


def test_strict_edges_ignore_digits_inside_hashes():
    digest = "a13812345678f"
    assert find(digest) and not find(digest, strict_edges=True)
    assert find("电话：13812345678", strict_edges=True)


def test_scanning_digit_runs_finds_what_scanning_the_whole_text_finds():
    """find() only looks inside runs of digits; a plain scan of the whole (folded) text is the reference."""
    from gongkai.data.privacy import _PATTERNS, classify, fold

    def reference(text, strict):
        folded, index = fold(text)
        index = index or list(range(len(text)))
        found = []
        for match in _PATTERNS[strict].finditer(folded):
            digits = re.sub(r"[^\dXx]", "", match.group(), flags=re.ASCII).upper()
            if classify(digits, match.group()):
                found.append((index[match.start()], index[match.end() - 1] + 1, digits))
        return found

    rng = random.Random(7)
    pieces = ["13812345678", "+86 138 1234 5678", "11010519491231002X", "110105491231002", "6222 0212 3456 7890 123",
              "138-1234-5678", "１３８１２３４５６７８"]
    alphabet = "0123456789１２Xx +-\u3000\nab手机8613"
    for _ in range(20000):
        text = "".join(rng.choice(pieces) if rng.random() < 0.3 else
                       "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(1, 5)))
        for strict in (False, True):
            assert [(h.start, h.end, h.digits) for h in find(text, strict)] == reference(text, strict), text


def test_stretches_are_tried_from_their_first_digit_only():
    """The stretches find() folds are those of the plain definition (11 digits or more of any script, at
    most three other characters between two), which tries every digit: same spans on digit-dense text
    with gaps of every length around the limit, also at the start and end of the text."""
    from gongkai.data.privacy import _CANDIDATE

    plain = re.compile(r"\d(?:\D{0,3}\d){10,}")
    rng = random.Random(11)
    digits, others = "0123456789１٣", ["-", " ", "\u200b", "年", "a", "\n", "：", "x"]
    for _ in range(20000):
        parts = []
        for _ in range(rng.randint(1, 30)):
            parts.append("".join(rng.choice(digits) for _ in range(rng.randint(1, 6))))
            parts.append("".join(rng.choice(others) for _ in range(rng.choice((1, 2, 3, 3, 4, 4, 5)))))
        text = "".join(parts)[rng.randint(0, 3):]
        assert [m.span() for m in _CANDIDATE.finditer(text)] == [m.span() for m in plain.finditer(text)], text
    # by hand: a gap of four ends a stretch, three does not; a stretch of ten digits is too short
    assert [m.group() for m in _CANDIDATE.finditer("12345-678----90123456789012 1234 5678 9    0")] == [
        "90123456789012 1234 5678 9"]
    assert [m.group() for m in _CANDIDATE.finditer("12---34---56---78---90---12")] == ["12---34---56---78---90---12"]
    assert not _CANDIDATE.search("12---34---56---78---90")


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("张小三", "张*三"), ("欧阳小娜", "欧**娜"), ("李", "李")])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("text, expected", [("1.10105E+17", True), ("1.38123E+10", True), ("1.5E+3", False), ("1.38123", False)])
def test_excel_number(text, expected):
    assert excel_number(text) is expected


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("resource, field, value, kind", [
    ("projects", "summary", "联系人电话 13812345678", MOBILE),
    ("units", "description", f"负责人身份证 {ID_BAD_CHECK}", RESIDENT_ID),
    ("decisions", "resolution", f"补助打入卡号 {CARD19}", BANK_CARD),
    ("units", "party_org", "+86 138 1234 5678", MOBILE),
])
def test_personal_data_in_a_private_field_is_an_error(portal, resource, field, value, kind):
    line = set_cell(portal, resource, 0, field, value)
    report = validate(portal)
    assert ("personal-data", resource, line, field) in codes(report)
    finding = next(f for f in report.errors if f.code == "personal-data")
    assert finding.file == f"datasets/{resource}.csv" and finding.column
    assert kind in finding.message and "public_fields" in finding.message and "masking" in finding.message
    assert value not in json.dumps(report.to_dict(), ensure_ascii=False)  # CI logs may be public


def test_units_contact_is_public_by_default(portal):
    set_cell(portal, "units", 0, "contact", "13812345678")
    assert validate(portal).valid


def test_public_fields_setting(portal):
    line = set_cell(portal, "projects", 0, "summary", "联系 13812345678")
    configure(portal, public_fields=["units.contact", "projects.summary"])
    assert validate(portal).valid
    configure(portal, public_fields=[])
    set_cell(portal, "units", 0, "contact", "13912345678")
    assert {("personal-data", "projects", line, "summary"), ("personal-data", "units", 2, "contact")} <= set(codes(validate(portal)))


def test_masking_turns_errors_into_warnings(portal):
    line = set_cell(portal, "projects", 0, "summary", "联系 13812345678")
    configure(portal, masking=True)
    report = validate(portal)
    assert report.valid
    assert ("personal-data-masked", "projects", line, "summary") in codes(report, "warning")


def test_an_id_cannot_be_masked(portal):
    line = add_row(portal, "units", id="13812345678", name="某共建单位", kind="共建单位")
    configure(portal, masking=True)
    assert ("personal-data", "units", line, "id") in codes(validate(portal))


@pytest.mark.parametrize("field, value", [("summary", "1.38123E+10"), ("summary", "1.10105E+17")])
def test_excel_scientific_numbers_are_reported(portal, field, value):
    line = set_cell(portal, "projects", 0, field, value)
    assert ("excel-number", "projects", line, field) in codes(validate(portal))


def test_excel_number_in_a_public_field_too(portal):
    set_cell(portal, "units", 0, "contact", "1.38123E+10")
    assert ("excel-number", "units", 2, "contact") in codes(validate(portal))


def test_numbers_stored_as_numbers_in_xlsx(portal):
    import openpyxl
    rows = read_rows(portal, "units")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "units"
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([row[k] or None for k in rows[0]])
    sheet.cell(row=2, column=list(rows[0]).index("description") + 1, value=float(ID_BAD_CHECK))  # as Excel stores it
    sheet.cell(row=3, column=list(rows[0]).index("party_org") + 1, value=13812345678)
    (portal / "datasets" / "units.csv").unlink()
    book.save(portal / "datasets" / "units.xlsx")
    found = codes(validate(portal))
    assert ("excel-number", "units", 2, "description") in found
    assert ("personal-data", "units", 3, "party_org") in found


# --------------------------------------------------------------------------- masked everywhere


def test_masked_values_are_the_same_in_every_output(portal):
    set_cell(portal, "projects", 0, "summary", "联系 13812345678，卡号 " + CARD19)
    set_cell(portal, "units", 0, "description", "负责人身份证 " + ID_BAD_CHECK)
    configure(portal, masking=True)
    site = build_site(portal)
    texts = {p.relative_to(site).as_posix(): p.read_bytes().decode("utf-8", "replace")
             for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".xml", ".csv", ".js")}
    for raw in ("13812345678", CARD19, ID_BAD_CHECK):
        assert not [name for name, text in texts.items() if raw in text], raw
    search = "".join(text for name, text in texts.items() if name.startswith("search/p/"))
    for masked in ("138****5678", "622202*********0007", "1101**********1234"):
        assert masked in search
        assert any(masked in text for name, text in texts.items() if name.endswith(".html"))
    assert "138****5678" in texts["data/projects.csv"] and "138****5678" in texts["data/projects.json"]
    assert "1101**********1234" in texts["data/units.json"]
    cells = xlsx_strings(site / "data" / "projects.xlsx") + xlsx_strings(site / "data" / "units.xlsx")
    assert not [c for c in cells if "13812345678" in c or ID_BAD_CHECK in c or CARD19 in c]
    assert any("138****5678" in c for c in cells) and any("1101**********1234" in c for c in cells)


def xlsx_strings(path) -> list[str]:
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True)
    return [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


# --------------------------------------------------------------------------- cannot be switched off by accident


@pytest.mark.parametrize("name", ["privacy_guard", "content_rules", "output_scan"])
def test_disable_cannot_switch_off_a_safety_plugin(name):
    with pytest.raises(ConfigError) as info:
        create_plugin_manager(Settings(disable=[name]))
    assert info.value.finding.code == "safety-plugin"


def test_validate_exits_2_when_privacy_guard_is_disabled(portal):
    configure(portal, disable=["privacy_guard"])
    done = subprocess.run([sys.executable, "-m", "gongkai.cli", "validate", str(portal), "--today", TODAY, "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"][0]["code"] == "safety-plugin"


def test_unsafe_disable_works_and_is_logged(portal):
    set_cell(portal, "projects", 0, "summary", "联系 13812345678")
    configure(portal, unsafe_disable=["privacy_guard"])
    done = subprocess.run([sys.executable, "-m", "gongkai.cli", "validate", str(portal), "--today", TODAY],
                          capture_output=True, text=True)
    assert done.returncode == 0
    assert "privacy_guard" in done.stderr and "unsafe_disable" in done.stderr
    names = {info.name for info in create_plugin_manager(Settings(unsafe_disable=["privacy_guard"])).infos()}
    assert "privacy_guard" not in names and "output_scan" in names


# --------------------------------------------------------------------------- shapes staff type (property)

import datetime as dt  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
DASHES = ["-", "－", "‐", "‑", "–", "—", "−", "﹣"]
SPACES = [" ", "\u3000", "\u00a0", "\u2009"]
INVISIBLE = ["\u200b", "\u200c", "\u2060", "\ufeff", "\u200e"]
WORDS = st.text(alphabet="社区东风议事会联系电话手机号码请拨打居民。，：", max_size=6)


@st.composite
def written_number(draw):
    """(how staff typed it, kind, masked form): a mobile, an 18-character ID or a bank card, in the
    shapes they come in: full-width digits, any dash or space between the usual groups, invisible
    characters anywhere inside."""
    kind = draw(st.sampled_from([MOBILE, RESIDENT_ID, BANK_CARD]))
    if kind == MOBILE:
        digits = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
        groups, masked = [digits[:3], digits[3:7], digits[7:]], digits[:3] + "****" + digits[-4:]
    elif kind == RESIDENT_ID:
        birth = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)))
        digits = "110105" + birth.strftime("%Y%m%d") + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=3, max_size=3))) \
            + draw(st.sampled_from("0123456789X"))
        groups = draw(st.sampled_from([[digits], [digits[:6], digits[6:14], digits[14:]], [digits[:6], digits[6:10], digits[10:14], digits[14:]]]))
        masked = digits[:4] + "*" * 10 + digits[-4:]
    else:
        digits = luhn_card("622202", "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=4, max_size=4))), 19)
        groups, masked = [digits[i:i + 4] for i in range(0, 19, 4)], digits[:6] + "*" * 9 + digits[-4:]
    separator = draw(st.sampled_from(["", *DASHES, *SPACES]))
    text = separator.join(groups)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(1, len(text) - 1))
        text = text[:at] + draw(st.sampled_from(INVISIBLE)) + text[at:]
    return text, kind, masked


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(before=WORDS, number=written_number(), after=WORDS)
def test_personal_numbers_are_found_and_masked_in_every_shape_staff_type(before, number, after):
    written, kind, masked = number
    text = f"{before}{written}{after}"
    hits = find(text)
    assert [(h.kind, h.masked) for h in hits] == [(kind, masked)], text
    shown = mask(text)
    assert shown == before + masked + after
