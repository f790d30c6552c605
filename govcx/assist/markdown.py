"""Article Markdown → safe HTML, and → plain text for the search index.

Two well-kept libraries, each doing one job:
- markdown-it-py (CommonMark, plus tables and strikethrough) parses; inline HTML is passed
  on to the sanitiser (editors paste from other systems);
- nh3 (the Rust `ammonia` sanitiser) then keeps only an allow-list of tags and attributes and
  only http/https/mailto/tel link targets: `<script>`/`<style>` go with their content,
  event handlers such as `onclick`, `style` and `javascript:` URLs are removed.
Tables and links get their USWDS classes. Output is what the help centre and the staff
preview show.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}, "td": set()}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _demote_h1(source_html: str) -> str:
    """The page already has its <h1> (the article title): headings inside start at <h2>."""
    return re.sub(r"<(/?)h1(\b[^>]*)>", r"<\1h2\2>", source_html)


def markdown_render(text: str) -> str:
    """Sanitised HTML for Markdown `text`; safe to mark safe in a template."""
    raw = _demote_h1(_md.render(text or ""))
    return nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                     set_tag_attribute_values={"table": {"class": "usa-table"},
                                               "a": {"class": "usa-link"},
                                               "th": {"scope": "col"}})


def markdown_text(text: str) -> str:
    """Plain text of Markdown `text` (for search and for drafts): tags dropped, entities
    decoded, whitespace collapsed."""
    stripped = nh3.clean(_md.render(text or ""), tags=set())
    return re.sub(r"\s+", " ", html.unescape(stripped)).strip()
