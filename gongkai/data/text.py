"""Text files as staff's tools save them: UTF-8, UTF-8 with BOM, or GBK/GB18030 (what Excel, Notepad
and WPS write on Chinese Windows). The encoding is decided over the whole file, line by line, so a file
that mixes encodings is an error naming its first odd line, never mojibake."""
from __future__ import annotations

from gongkai.data.resources import TableError

NAMES = {"utf-8": "UTF-8", "gbk": "GBK/GB18030"}
#: characters that reverse how the text around them reads (Trojan Source): refused in data, shown in titles
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def decode(data: bytes, resave: str) -> str:
    """The text of a file's bytes; `resave` tells staff how to save the file again when it cannot be read."""
    return decode_with_codec(data, resave)[0]


def decode_with_codec(data: bytes, resave: str) -> tuple[str, str]:
    """`decode`, and the codec it read the file with ("utf-8" or "gb18030")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError("bad-encoding", "文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法读取。" + resave, row=1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:  # valid UTF-8 as a whole is valid UTF-8 line by line (a "\n" byte is never inside a character)
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    first = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        kind = _line_kind(line)
        if kind == "bad":
            raise TableError("bad-encoding", f"第 {number} 行既不是 UTF-8 也不是 GBK 编码，无法读取。" + resave, row=number)
        first = first or (kind if kind != "ascii" else None)
        if kind in ("ascii", first):
            continue
        raise TableError("mixed-encoding", f"第 {number} 行是 {NAMES[kind]} 编码，而前面的行是 {NAMES[first]}：这个文件混用了"
                         "两种编码，直接读取会出现乱码。" + resave, row=number)
    codec = "gb18030" if first == "gbk" else "utf-8"
    return data.decode(codec), codec


def decode_line(line: bytes, codec: str) -> str | None:
    """The text of a line added to a file that `decode_with_codec` read as `codec`; None when the line
    could change how the file as a whole is read (another encoding, or none): read the file again."""
    kind = _line_kind(line)
    if kind == "ascii" or kind == ("gbk" if codec == "gb18030" else "utf-8"):
        return line.decode(codec)
    return None


def _line_kind(line: bytes) -> str:
    if line.isascii():
        return "ascii"
    for kind, codec in (("utf-8", "utf-8"), ("gbk", "gb18030")):
        try:
            line.decode(codec)
            return kind
        except UnicodeDecodeError:
            continue
    return "bad"
