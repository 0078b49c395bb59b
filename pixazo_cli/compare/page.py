"""The contact sheet's page, a Jinja2 template kept as a string so it ships inside the package.
Self-contained: styles inline, thumbnails as relative files, nothing fetched from the network.
The closing script marks the body data-thumbs="loaded" once every thumbnail has decoded (or
"broken N"), which the tests read back from a headless browser."""

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
 body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; background: #fafafa; }
 h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 2rem; }
 .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 1rem; }
 figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .6rem; }
 figure img { width: 100%; height: auto; display: block; background: #eee; }
 figcaption { font-size: 12px; overflow-wrap: anywhere; }
 .prompt { white-space: pre-wrap; margin: .4rem 0; }
 dl { display: grid; grid-template-columns: auto 1fr; gap: 0 .5rem; margin: .3rem 0; }
 dt { color: #666; } dd { margin: 0; }
 code { display: block; user-select: all; background: #f2f2f2; padding: .2rem .3rem; }
 button { font-size: 11px; margin-top: .3rem; }
</style>
</head>
<body data-thumbs="loading">
<h1>{{ title }}</h1>
<p>{{ count }} image(s).</p>
{% for group, cards in groups.items() %}
<section>
<h2>{{ group }}</h2>
<div class="cards">
{% for card in cards %}
<figure>
{% if card.thumb %}<a href="{{ card.link }}"><img src="{{ card.thumb }}" alt="{{ card.file }}"
 loading="eager"></a>{% else %}<p>(not an image Pillow can read)</p>{% endif %}
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
<script>
document.addEventListener("click", function (event) {
  var text = event.target.getAttribute && event.target.getAttribute("data-copy");
  if (text && navigator.clipboard) { navigator.clipboard.writeText(text); }
});
function thumbsState() {
  var images = Array.prototype.slice.call(document.images);
  if (images.some(function (i) { return !i.complete; })) { return "loading"; }
  var broken = images.filter(function (i) { return !(i.naturalWidth > 0); }).length;
  return broken ? "broken " + broken : "loaded";
}
window.addEventListener("load", function () { document.body.dataset.thumbs = thumbsState(); });
</script>
</body>
</html>
"""
