"""Teachers' instructions are sanitised: formatting stays, anything executable goes."""

from __future__ import annotations

from village.classwork.richtext import plain_text, sanitise


def test_formatting_and_safe_links_survive() -> None:
    html = '<p>Read <strong>chapter 3</strong> and <a href="https://example.org/ch3">notes</a>.</p>'
    cleaned = sanitise(html)
    assert "<strong>chapter 3</strong>" in cleaned
    assert 'href="https://example.org/ch3"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned


def test_scripts_handlers_styles_and_frames_are_removed() -> None:
    html = (
        '<p onclick="steal()">Hi<script>alert(1)</script></p>'
        '<img src=x onerror="alert(2)"><iframe src="https://evil.example"></iframe>'
        '<a href="javascript:alert(3)">click</a><style>p{}</style>'
    )
    cleaned = sanitise(html)
    for bad in ("onclick", "script", "onerror", "iframe", "javascript:", "<style", "<img"):
        assert bad not in cleaned
    assert "Hi" in cleaned
    assert "click" in cleaned


def test_plain_text_for_calendars_and_email() -> None:
    assert plain_text("<p>Fish &amp; chips</p>\n<ul><li>one</li><li>two</li></ul>") == (
        "Fish & chips one two"
    )
