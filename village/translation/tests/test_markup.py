"""What an engine is given and what is made of its answer: pieces kept, markup as it was."""

from __future__ import annotations

from village.translation.markup import GlossaryRule, like_original, mask, plain, unmask


def kept(text: str, **options) -> list[str]:
    return list(mask(text, is_html=options.pop("is_html", False), **options).pieces)


def test_web_and_email_addresses_and_numbers_with_separators_are_kept():
    text = (
        "See https://school.example/trip?day=2&x=1, or write to ms.rivera@school.example "
        "at 10:30 on 3/14."
    )
    assert kept(text) == [
        "https://school.example/trip?day=2&amp;x=1",
        "ms.rivera@school.example",
        "10:30",
        "3/14",
    ]


def test_names_are_kept_only_as_written_and_glossary_terms_whatever_their_case():
    rules = [GlossaryRule("field trip"), GlossaryRule("IEP", "PEI")]
    found = mask(
        "May may bring the Field Trip form; the iep meeting is for May.",
        is_html=False,
        keep=["May"],
        rules=rules,
    )
    assert found.pieces == ("May", "Field Trip", "PEI", "May")
    assert "may bring" in found.fragment
    assert "fieldtrip" not in found.fragment


def test_terms_match_whole_words_only():
    assert kept("Adam and Ada", keep=["Ada"]) == ["Ada"]


def test_plain_text_travels_as_escaped_html_with_its_line_breaks():
    found = mask("1 < 2 & 3\nnext line", is_html=False)
    assert found.fragment == "1 &lt; 2 &amp; 3<br>next line"
    assert unmask(found, found.fragment).text == "1 < 2 & 3\nnext line"


def test_html_keeps_its_tags_and_only_text_is_masked():
    source = '<p>Read <a href="https://x.example/a">https://x.example/a</a> with Ada.</p>'
    found = mask(source, is_html=True, keep=["Ada"])
    assert found.fragment.startswith('<p>Read <a href="https://x.example/a">')
    assert found.pieces == ("https://x.example/a", "Ada")


def test_pieces_come_back_by_number_whatever_the_engine_did_to_the_span():
    found = mask("Tell Ada about https://x.example.", is_html=False, keep=["Ada"])
    answer = (
        'Dile a <span translate="no" data-vlg="0">ADA</span> sobre '
        '<span data-vlg="1" translate="no"></span>.'
    )
    back = unmask(found, answer)
    assert back.text == "Dile a Ada sobre https://x.example."
    assert back.lost == ()


def test_a_piece_the_engine_lost_is_reported():
    found = mask("Tell Ada.", is_html=False, keep=["Ada"])
    assert unmask(found, "Dile.").lost == ("Ada",)


def test_markup_an_engine_adds_is_dropped():
    source = (
        '<p>Read <strong>this</strong> <a href="https://x.example" rel="noopener">page</a>.</p>'
    )
    answer = (
        '<p onclick="steal()">Lea <strong>esto</strong> <a href="https://x.example" '
        'rel="noopener">página</a><script>alert(1)</script><img src=x>.</p>'
    )
    assert like_original(answer, source) == (
        '<p>Lea <strong>esto</strong> <a href="https://x.example" rel="noopener">página</a>.</p>'
    )


def test_plain_drops_markup_and_keeps_breaks():
    assert plain("Hola<br>mundo <b>&amp;</b> más") == "Hola\nmundo & más"
