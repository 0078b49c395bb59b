"""The contact sheet's index.html: a Jinja2 template kept as a string so it ships inside the
package, and what each card shows.

Self-contained: styles inline, thumbnails as relative files, nothing fetched from the network.
Fast with thousands of images: each thumbnail loads lazily, with its size given so the layout
never waits for it, and beyond CARDS_PER_PAGE cards the page is cut into pages (#page-2 …)
that CSS shows one at a time, so a browser fetches only the thumbnails near what is on screen.
Groups flow side by side, so small ones share a row.

Every value is escaped by Jinja2 (autoescape): prompts and file names are text from outside. A
link is a relative path (`./…`, `../…`), percent-encoded, so no name can become a URL scheme
(`javascript:`). The closing script marks the body data-thumbs="loaded" once every thumbnail
the browser asked for has decoded (or "broken N"), and data-rows with the rows the first
page's groups take: the tests read both back from a headless browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pixazo_cli.compare.thumbs import THUMBS, Card
from pixazo_cli.sinks import html as sink
from pixazo_cli.sinks.terminal import command_line

CARDS_PER_PAGE = 200

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
 body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; background: #fafafa; }
 h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin: 1rem 0 .5rem; }
 .page { display: none; } .page.first, .page:target { display: block; }
 body:has(.page:target) .page.first:not(:target) { display: none; }
 .groups { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: flex-start; }
 .group { flex: 1 1 calc(var(--n) * 16rem - 1rem); max-width: 100%; min-width: 0; }
 .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 1rem; }
 figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .6rem; }
 figure img { width: 100%; height: auto; display: block; background: #eee; }
 figcaption { font-size: 12px; overflow-wrap: anywhere; }
 .prompt { white-space: pre-wrap; margin: .4rem 0; }
 dl { display: grid; grid-template-columns: auto 1fr; gap: 0 .5rem; margin: .3rem 0; }
 dt { color: #666; } dd { margin: 0; }
 code { display: block; user-select: all; background: #f2f2f2; padding: .2rem .3rem; }
 button { font-size: 11px; margin-top: .3rem; }
 nav a { margin-right: .4rem; }
</style>
</head>
<body data-thumbs="loading">
<h1>{{ title }}</h1>
<p>{{ count }} image(s).{% if pngs %} Contact sheet:{% for png in pngs %}
 <a href="{{ png.href }}">{{ png.name }}</a>{% endfor %}.{% endif %}</p>
{% for page in pages %}
<section class="page{% if loop.first %} first{% endif %}" id="page-{{ loop.index }}">
{% if page_count > 1 %}<nav>Page {{ loop.index }} of {{ page_count }}:
{% for other in range(1, page_count + 1) %}<a href="#page-{{ other }}">{{ other }}</a>
{% endfor %}</nav>{% endif %}
<div class="groups">
{% for group in page %}
<section class="group" style="--n: {{ group.cards|length }}">
<h2>{{ group.name }}</h2>
<div class="cards">
{% for card in group.cards %}
<figure>
{% if card.thumb %}<a href="{{ card.link }}"><img src="{{ card.thumb }}" alt="{{ card.file }}"
 width="{{ card.width }}" height="{{ card.height }}" loading="lazy" decoding="async"></a>
{% else %}<p>(no picture: {{ card.problem or "not an image Pillow can read" }})</p>{% endif %}
<figcaption>
{% if card.caption %}<strong>{{ card.caption }}</strong>{% endif %}
<div class="prompt">{{ card.prompt }}</div>
<dl>
<dt>file</dt><dd>{{ card.file }}</dd>
{% if card.model %}<dt>model</dt><dd>{{ card.model }}</dd>{% endif %}
{% if card.seed %}<dt>seed</dt><dd>{{ card.seed }}</dd>{% endif %}
{% if card.size %}<dt>size</dt><dd>{{ card.size }}</dd>{% endif %}
{% if card.request_id %}<dt>request</dt><dd>{{ card.request_id }}</dd>{% endif %}
</dl>
{% if card.replay %}<code>{{ card.replay }}</code>
<button type="button" data-copy="{{ card.replay }}">copy</button>{% endif %}
</figcaption>
</figure>
{% endfor %}
</div>
</section>
{% endfor %}
</div>
</section>
{% endfor %}
<script>
document.addEventListener("click", function (event) {
  var text = event.target.getAttribute && event.target.getAttribute("data-copy");
  if (text && navigator.clipboard) { navigator.clipboard.writeText(text); }
});
function thumbsState() {
  var asked = Array.prototype.slice.call(document.images).filter(function (i) {
    return i.currentSrc; });
  if (asked.some(function (i) { return !i.complete; })) { return "loading"; }
  var broken = asked.filter(function (i) { return !(i.naturalWidth > 0); }).length;
  return broken ? "broken " + broken : "loaded";
}
function rows() {
  var tops = {};
  document.querySelectorAll(".page.first .group").forEach(function (g) {
    tops[g.offsetTop] = true; });
  return Object.keys(tops).length;
}
window.addEventListener("load", function () {
  document.body.dataset.thumbs = thumbsState();
  document.body.dataset.rows = rows();
});
</script>
</body>
</html>
"""


def render_html(cards: list[Card], out_dir: Path, title: str, pngs: list[Path]) -> str:
    return "".join(html_pieces(cards, out_dir, title, pngs))


def html_pieces(cards: list[Card], out_dir: Path, title: str,
                pngs: list[Path]) -> Iterator[str]:
    """The page in pieces, each page of cards built only when it is reached: written as it is
    made, its memory is one page of cards, whatever the number of images."""
    from jinja2 import Environment

    here = os.path.realpath(out_dir)
    links = [{"name": png.name, "href": relative_link(os.path.realpath(png), here)}
             for png in pngs]
    starts = range(0, len(cards), CARDS_PER_PAGE)
    pages = (_groups(cards[start:start + CARDS_PER_PAGE], here) for start in starts)
    template = Environment(autoescape=True).from_string(TEMPLATE)
    return template.generate(title=sink.shown(title), pages=pages, page_count=len(starts),
                             count=len(cards), pngs=links)


def _groups(cards: list[Card], here: str) -> list[dict[str, Any]]:
    """Cards in runs of the same group; a group cut by a page break goes on with the next."""
    groups: list[dict[str, Any]] = []
    for card in cards:
        if not groups or groups[-1]["name"] != sink.shown(card.group):
            groups.append({"name": sink.shown(card.group), "cards": []})
        groups[-1]["cards"].append(_card(card, here))
    return groups


def relative_link(target: str, here: str) -> str:
    """A path from the page's folder `here` to the file `target` (both with symlinks
    resolved), percent-encoded and starting with ./ or ../, so that no file name
    (`javascript:alert(1).png`) can be read as a URL scheme."""
    try:
        relative = Path(os.path.relpath(target, here)).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return ""
    encoded = sink.url_path(relative)
    return encoded if encoded.startswith("../") else f"./{encoded}"


def replay_command(image: Path) -> str:
    """`pixazo replay` with the image's absolute path, quoted for any POSIX shell: it works as
    copied, from whatever folder the shell is in. "" for a path that is not UTF-8: no page
    can show a command that would run."""
    command = command_line("pixazo", "replay", str(image.absolute()))
    return command if sink.shown(command) == command else ""


def _card(card: Card, here: str) -> dict[str, Any]:
    width, height = card.shown or (0, 0)
    values = {"file": card.path.name, "link": relative_link(card.real, here),
              "thumb": f"./{THUMBS}/{sink.url_path(card.thumb)}" if card.thumb else "",
              "problem": card.problem, "caption": card.caption,
              "size": f"{card.size[0]}×{card.size[1]}" if card.size else "",
              "replay": replay_command(card.path) if card.value("replay") else "",
              **{key: card.value(key) for key in ("prompt", "model", "seed", "request_id")}}
    return {**{key: sink.shown(value) for key, value in values.items()},
            "width": width, "height": height}
