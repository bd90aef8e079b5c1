"""Instructions typed as plain text keep their paragraphs and take a little formatting; people's
plain text (comments, hand-ins) keeps its line breaks, and its web addresses become safe links."""

from __future__ import annotations

import pytest

from village.classwork.richtext import linkify, render_instructions


def test_blank_lines_make_paragraphs_and_line_breaks_stay() -> None:
    assert render_instructions("Read chapter 3.\nTake notes.\n\nBring them on Monday.") == (
        "<p>Read chapter 3.<br>Take notes.</p><p>Bring them on Monday.</p>"
    )


def test_bold_italic_lists_and_links() -> None:
    text = (
        "**Due Friday**, *in pen*.\n\n"
        "Steps:\n- measure\n- record\n\n"
        "1. draw\n2. label\n\n"
        "See [the guide](https://example.org/guide) or https://example.org/more."
    )
    assert render_instructions(text) == (
        "<p><strong>Due Friday</strong>, <em>in pen</em>.</p>"
        "<p>Steps:</p><ul><li>measure</li><li>record</li></ul>"
        "<ol><li>draw</li><li>label</li></ol>"
        '<p>See <a href="https://example.org/guide" rel="noopener noreferrer nofollow">the guide'
        '</a> or <a href="https://example.org/more" rel="noopener noreferrer nofollow">'
        "https://example.org/more</a>.</p>"
    )


def test_plain_text_is_text_not_markup() -> None:
    html = render_instructions(
        "If x < 3 & y > 2 use <script>alert(1)</script> 2 * 3 * 4 snake_case"
    )
    assert "<script" not in html
    assert "x &lt; 3 &amp; y &gt; 2" in html
    assert "2 * 3 * 4 snake_case" in html


def test_unsafe_links_are_not_made() -> None:
    html = render_instructions("[click](javascript:alert(1)) and [mail](mailto:rivera@school.test)")
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "")
    assert 'href="mailto:rivera@school.test"' in html


def test_instructions_written_as_html_render_as_before() -> None:
    html = "<p>Read <strong>chapter 3</strong>.</p>\n<p>Then answer.</p>"
    assert render_instructions(html) == html
    # as the demo writes them, and as a roster's descriptions are imported
    demo = "<p>Plan the water cycle poster.</p><ol><li>Sketch</li><li>Label</li></ol>"
    assert render_instructions(demo) == demo
    roster = "<p>Do &lt;b&gt;all&lt;/b&gt; of it</p>\n\n<p>Show your work</p>"
    assert render_instructions(roster) == roster
    assert render_instructions("  <ul><li>Fish &amp; chips</li></ul>") == (
        "<ul><li>Fish &amp; chips</li></ul>"
    )


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        ("Use the <b> tag\nsecond line", "<p>Use the &lt;b&gt; tag<br>second line</p>"),
        ("R&D; team\n- a", "<p>R&amp;D; team</p><ul><li>a</li></ul>"),
        ("&nbsp;hi\n- a", "<p>&amp;nbsp;hi</p><ul><li>a</li></ul>"),
        (
            "Fish &amp; chips <em>today</em>",
            "<p>Fish &amp;amp; chips &lt;em&gt;today&lt;/em&gt;</p>",
        ),
    ],
)
def test_a_tag_or_character_reference_in_typed_text_is_text(typed: str, html: str) -> None:
    assert render_instructions(typed) == html


def test_render_again_gives_the_same_html() -> None:
    once = render_instructions("Para one\n\n- a\n- b")
    assert render_instructions(once) == once


def test_comments_keep_line_breaks_and_link_addresses_safely() -> None:
    url = "https://docs.example.org/" + "folder-" * 20 + "?id=1&x=2"
    html = linkify(f"Good start.\nRead ({url}).\n<b>not bold</b> javascript:alert(1)")
    assert html == (
        "Good start.<br>Read ("
        f'<a href="{url.replace("&", "&amp;")}" rel="noopener nofollow ugc">'
        f"{url.replace('&', '&amp;')}</a>).<br>&lt;b&gt;not bold&lt;/b&gt; javascript:alert(1)"
    )


def test_a_quote_cannot_leave_the_link() -> None:
    html = linkify('https://example.org/"onmouseover="alert(1)')
    assert html.startswith(
        '<a href="https://example.org/" rel="noopener nofollow ugc">https://example.org/</a>'
    )


def test_a_link_address_may_hold_brackets() -> None:
    assert render_instructions("[Foo](https://en.wikipedia.org/wiki/Foo_(bar)) here") == (
        '<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)" rel="noopener noreferrer nofollow">'
        "Foo</a> here</p>"
    )


@pytest.mark.parametrize("typed", ["[link text](https://)", "see https:// or http://)."])
def test_a_link_without_an_address_stays_text(typed: str) -> None:
    assert render_instructions(typed) == f"<p>{typed}</p>"
    assert linkify(typed) == typed
