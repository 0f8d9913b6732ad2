"""The self-contained HTML report: from a scan or a store, nothing loaded from elsewhere, text always escaped."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("jinja2")

from click.testing import CliRunner  # noqa: E402

from sourcetrace.cli import main  # noqa: E402
from sourcetrace.html_report import render_report, search_script  # noqa: E402
from sourcetrace.pipeline import scan  # noqa: E402

from .conftest import SEEDS  # noqa: E402
from .test_web import HOSTILE  # noqa: E402


@pytest.fixture(scope="module")
def seeds_result(settings, models):
    return scan([SEEDS], settings, models)


def external_references(html: str) -> list[str]:
    """Every attribute or CSS value that could make a browser fetch something."""
    found = re.findall(r"""(?:src|href|action|poster|data)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)
    found += re.findall(r"url\(\s*['\"]?([^)'\"]+)", html)
    found += re.findall(r"@import[^;]+", html)
    return [ref for ref in found if not ref.startswith("#")]


def test_report_is_self_contained(seeds_result):
    html = render_report(seeds_result)
    assert html.startswith("<!doctype html>")
    assert external_references(html) == []
    assert "<link" not in html.lower()
    # one inline script, the index filter, allowed by its hash and nothing else
    assert html.lower().count("<script") == 1 and "<script src" not in html.lower()
    script, source = search_script()
    assert f"<script>{script}</script>" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html and f"script-src {source};" in html
    assert "<style>" in html and ".lineup" in html  # the bundled stylesheet, inline


def test_report_has_an_index_stories_graphs_and_every_pair_folded(seeds_result):
    html = render_report(seeds_result)
    multi = [s for s in seeds_result.stories if len(s.articles) > 1]
    assert html.count('<section class="story"') == len(multi) >= 1
    assert html.count("<svg") == len(multi)
    # the index first: pairs strongest first, by title, each leading to its folded view
    index = html[html.index('<nav class="index"') : html.index("</nav>", html.index('<nav class="index"'))]
    scores = [float(x) for x in re.findall(r'<td class="num"><a href="#pair-\d+">([\d.]+)</a>', index)]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    assert "Putin Accepts Kim&#39;s Invitation to Visit North Korea" in index
    assert html.count('<details class="pairsection"') == len(seeds_result.pairs) == 4
    assert html.count('<details class="pairsection" id="pair-') == 4 and '<details class="pairsection" open' not in html
    assert html.count('class="lineup"') == len(seeds_result.pairs)
    taking = [p for p in seeds_result.pairs if p.relation in ("copy", "rewrite", "excerpt") and p.source]
    assert any(p.relation == "rewrite" for p in taking)  # 000 took from 001
    assert html.count("marker-end=") == len(taking)  # arrows only for taking; shared quotes are plain lines
    # the (000, 001) rewrite: lined up, the attribution 000 left out struck on 001's side
    start = html.index('<details class="pairsection" id="pair-0">')
    rewrite = html[start : html.find("</details>\n<details", start)]
    assert "is a rewrite of “Putin Accepts Kim&#39;s Invitation to Visit North Korea”" in rewrite
    assert len(re.findall(r'<div class="row match c\d"', rewrite)) >= 15
    assert re.search(r'<mark class="[^"]*" title="dropped the attribution &#39;told AFP&#39;">told AFP</mark>', rewrite)


def test_report_escapes_untrusted_text(seeds_result, settings, models, tmp_path):
    base = next(SEEDS.glob("001_*.txt")).read_text("utf-8")
    (tmp_path / "orig.txt").write_text(base, encoding="utf-8")
    (tmp_path / "evil<b>.txt").write_text(base.replace("\n\n", "\n\n" + HOSTILE + "\n\n", 1), encoding="utf-8")
    result = scan([tmp_path], settings, models)
    assert result.pairs, "the hostile copy should pair with its original"
    html = render_report(result)
    assert "<script>window" not in html and "<img src=x" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "evil&lt;b&gt;" in html and "<b>" not in html


def test_the_index_has_a_search_box_that_filters_by_text_never_as_html(seeds_result, settings, models, tmp_path):
    """The box is hidden until the script shows it (the report works without JavaScript); each index row carries its
    ids, titles and outlets as escaped attribute text; the script reads that text and builds no HTML."""
    html = render_report(seeds_result)
    assert re.search(r'<p class="search" id="search" hidden>.*<input type="search" id="search-input"', html)
    index = html[html.index('<nav class="index"') : html.index("</nav>", html.index('<nav class="index"'))]
    rows = re.findall(r'data-search="([^"]*)"', index)
    assert len(rows) == len(seeds_result.pairs) + sum(len(s.articles) > 1 for s in seeds_result.stories)
    assert all(r == r.lower() for r in rows) and any("putin accepts kim&#39;s invitation" in r for r in rows)
    script, _ = search_script()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
    assert "textContent" in script and "data-search" in script
    hostile = 'Talks "went" <b onmouseover=alert(1)>well</b>'
    (tmp_path / "orig.txt").write_text(next(SEEDS.glob("001_*.txt")).read_text("utf-8"), encoding="utf-8")
    copy = f"{hostile}\n\n" + next(SEEDS.glob("001_*.txt")).read_text("utf-8")
    (tmp_path / "copy.txt").write_text(copy, encoding="utf-8")
    result = scan([tmp_path], settings, models)
    assert [a.title for a in result.articles if a.title == hostile], "the hostile line should be read as a title"
    html = render_report(result)
    assert "<b onmouseover" not in html
    assert 'data-search="copy talks &#34;went&#34; &lt;b onmouseover=alert(1)&gt;well&lt;/b&gt;' in html


def test_shared_quotation_lines_are_plain_and_name_who_is_quoted(seeds_result):
    html = render_report(seeds_result)
    labels = re.findall(r'<text class="elabel"[^>]*>([^<]*)</text>', html)
    assert labels == ["Kim, Putin", "KCNA"]
    quotes = re.findall(r'<line class="edge rel-shared-quotes k-quotes"[^>]*>', html)
    assert len(quotes) == 2 and not [q for q in quotes if "marker-end" in q]
    assert re.search(r"quote the same sources \(strength 0\.\d{3}, quoting Kim and Putin\)", html)


def test_report_command_from_paths_and_from_a_store(tmp_path, models):
    runner = CliRunner()
    from_paths = tmp_path / "paths.html"
    result = runner.invoke(main, ["report", str(SEEDS), "-o", str(from_paths)])
    assert result.exit_code == 0, result.output
    db = tmp_path / "seeds.db"
    assert runner.invoke(main, ["index", "add", str(SEEDS), "--db", str(db)]).exit_code == 0
    from_store = tmp_path / "store.html"
    result = runner.invoke(main, ["report", "--db", str(db), "-o", str(from_store)])
    assert result.exit_code == 0, result.output
    for path in (from_paths, from_store):
        html = path.read_text("utf-8")
        assert html.count('<details class="pairsection"') == 4 and external_references(html) == []
    assert runner.invoke(main, ["report", "-o", str(tmp_path / "x.html")]).exit_code == 2
    assert runner.invoke(main, ["report", str(SEEDS), "--db", str(db), "-o", str(tmp_path / "x.html")]).exit_code == 2
    missing = runner.invoke(main, ["report", "--db", str(tmp_path / "none.db"), "-o", str(tmp_path / "x.html")])
    assert missing.exit_code == 1 and "no store" in missing.output
