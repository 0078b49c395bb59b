"""The web-page sink: text from outside (prompts, file names, records) as an HTML page shows
it, for the contact sheet's index.html and the assets' <picture> snippets alike.

The page is text first (a page gets `cat` too): the key masked and what a terminal would act
on shown as escapes, as on a terminal; lone surrogates (a file name's bytes that are not
UTF-8) become U+FFFD, which a page can carry. Then markup is escaped: by Jinja2's autoescape
in templates, by `attribute` where HTML is put together by hand."""

from __future__ import annotations

import html
import os
import re
from urllib.parse import quote

from pixazo_cli.sinks.terminal import visible

SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """Lone surrogates as U+FFFD: what a page, or a picture's caption, can carry."""
    return SURROGATE.sub("\ufffd", text)


def shown(text: str) -> str:
    """Text as a page shows it, before its markup is escaped."""
    return visible(no_surrogates(text))


def attribute(text: str) -> str:
    """Text as the value of a quoted HTML attribute."""
    return html.escape(shown(text), quote=True)


def url_path(path: str, safe: str = "/") -> str:
    """A file's path as a URL path: percent-encoded from the name's own bytes, UTF-8 or not
    (a lone surrogate from the file system stands for a byte that is not), so the link opens
    that file and no name (`javascript:x.png`, `a, b.png`) reads as a scheme or a list."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate no file system name holds: not a file's name
        raw = no_surrogates(path).encode()
    return quote(raw, safe=safe)
