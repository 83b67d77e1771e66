"""The hand-written pages of content/, checked like data (gongkai/site/content.py): files that cannot be
read, raw HTML the sanitiser drops (a warning naming the file and line), personal data in the text or
a file name, and files of a type a browser runs."""
from __future__ import annotations

from gongkai.api import check_content, hookimpl, public_numbers


@hookimpl
def register_checks(register):
    register(check_hand_written_pages)


def check_hand_written_pages(records, context):
    settings = context.settings
    public = public_numbers(records, settings.public_fields)
    return check_content(context.docs_dir, context.root, context.markdown_extensions, settings.masking, public,
                         [str(p) for p in settings.trusted_files])
