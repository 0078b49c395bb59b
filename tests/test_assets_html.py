"""The <picture> snippet: sources before the img, every width a srcset candidate, width and
height of the largest, the prompt as alt text escaped, file names percent-encoded."""

from __future__ import annotations

import re
from pathlib import Path

from pixazo_cli.assets.asset import Asset, Derived, Generation, ImageFile
from pixazo_cli.assets.html import picture_html

ORIGINAL = ImageFile(Path("site/hero.png"), 1024, 576, "png", 1000, "0" * 64)


def made(name: str, width: int, fmt: str) -> Derived:
    return Derived(Path("site") / name, width, width * 9 // 16, fmt, 100, "1" * 64)


def asset(*derived: Derived, prompt: str = "a fox", **placeholder: str) -> Asset:
    return Asset(ORIGINAL, Generation("req", 7, "sdxl", prompt), derived, placeholder)


def test_modern_formats_are_sources_and_the_img_takes_the_most_widely_read() -> None:
    html = picture_html(asset(made("hero-960w.avif", 960, "avif"),
                              made("hero-480w.avif", 480, "avif"),
                              made("hero-480w.webp", 480, "webp"),
                              made("hero-960w.webp", 960, "webp"),
                              made("hero-960w.jpg", 960, "jpg")))
    lines = html.splitlines()
    assert lines[0] == "<picture>" and lines[-1] == "</picture>"
    assert lines[1].startswith('  <source type="image/avif" srcset="hero-480w.avif 480w, '
                               'hero-960w.avif 960w" sizes="(max-width: 960px) 100vw, 960px"')
    assert lines[2].startswith('  <source type="image/webp" srcset="hero-480w.webp 480w, ')
    assert lines[3].startswith('  <img src="hero-960w.jpg" ')
    assert 'width="960" height="540"' in lines[3] and 'alt="a fox"' in lines[3]


def test_the_prompt_is_text_in_the_alt_attribute() -> None:
    html = picture_html(asset(made("a.webp", 480, "webp"),
                              prompt='a "fox" <script>alert(1)</script> & co\nline two'))
    assert 'alt="a &quot;fox&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; co line two"' \
        in html
    assert "<script>" not in html


def test_a_comma_or_space_in_a_name_cannot_split_the_srcset() -> None:
    html = picture_html(asset(made("hero, v2 & <b>-480w.webp", 480, "webp"),
                              made("hero, v2 & <b>-960w.webp", 960, "webp")))
    assert "hero%2C%20v2%20%26%20%3Cb%3E-480w.webp 480w" in html
    assert "<b>" not in html


def test_the_sizes_attribute_given_is_escaped() -> None:
    html = picture_html(asset(made("a-480w.webp", 480, "webp"), made("a-960w.webp", 960,
                                                                   "webp")),
                        sizes='(min-width: 800px) 50vw, "100vw"')
    assert 'sizes="(min-width: 800px) 50vw, &quot;100vw&quot;"' in html


def test_without_derived_files_the_snippet_shows_the_original() -> None:
    html = picture_html(asset())
    assert re.search(r'<img src="hero.png" width="1024" height="576" alt="a fox"', html)
    assert "srcset" not in html


def test_an_lqip_is_the_images_background_while_it_loads() -> None:
    html = picture_html(asset(made("a.webp", 480, "webp"), lqip="data:image/webp;base64,AAAA"))
    assert 'style="background-size:cover;background-image:url(data:image/webp;base64,AAAA)"' \
        in html
