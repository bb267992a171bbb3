"""Content-line rules: cleaning, TEXT escaping, parameter quoting, URIs, folding at 75 octets."""

from __future__ import annotations

import random

from roadshow.calendar.text import (
    clean_text,
    clean_uri,
    content_line,
    escape_list,
    escape_text,
    fold,
    mailto,
    param_value,
)


def _physical_lines(folded: str) -> list[bytes]:
    return folded.encode("utf-8").split(b"\r\n")


def test_escape_text_escapes_backslash_semicolon_comma_and_newlines():
    assert escape_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"


def test_escape_text_chinese_with_commas_is_kept_and_escaped():
    assert escape_text("青岛高新区, 欧盟项目; 路演") == "青岛高新区\\, 欧盟项目\\; 路演"


def test_clean_text_removes_control_characters_and_keeps_tab_and_newline():
    assert clean_text("A\x00B\x07C\x1bD\x7fE\x85F\x9bG\tH\nI") == "ABCDE\nFG\tH\nI"


def test_clean_text_removes_lone_surrogates_and_byte_order_marks():
    assert clean_text("\ufeffTitle\ud800 end\uffff") == "Title end"


def test_clean_text_turns_unicode_line_separators_into_newlines():
    assert clean_text("one\u2028two\u2029three\x0bfour\x0cfive") == "one\ntwo\nthree\nfour\nfive"


def test_clean_text_empty_and_none_give_empty_string():
    assert clean_text(None) == ""
    assert clean_text("") == ""


def test_escape_list_escapes_each_value_and_skips_blank_ones():
    assert escape_list(("Pitch, block", " ", "路演")) == "Pitch\\, block,路演"


def test_param_value_is_quoted_without_quotes_or_line_breaks():
    assert param_value('Li "Wei"\n; Zhang') == "\"Li 'Wei' ; Zhang\""


def test_clean_uri_keeps_https_and_percent_encodes_unsafe_characters():
    assert clean_uri(' https://meet.example.org/路演 room?a=1&b="x"\r\n') == (
        "https://meet.example.org/%E8%B7%AF%E6%BC%94room?a=1&b=%22x%22"
    )


def test_clean_uri_refuses_other_schemes_and_empty_values():
    assert clean_uri("javascript:alert(1)") is None
    assert clean_uri("data:text/html,hi") is None
    assert clean_uri("   ") is None
    assert clean_uri(None) is None
    assert clean_uri("meet.example.org/room") is None


def test_mailto_cleans_the_address():
    assert mailto(" li.wei@example.cn\r\n") == "mailto:li.wei@example.cn"


def test_fold_short_line_is_unchanged():
    line = "SUMMARY:" + "x" * 67
    assert fold(line) == line


def test_fold_ascii_line_splits_at_75_octets_with_space_continuations():
    folded = fold("DESCRIPTION:" + "a" * 200)
    lines = _physical_lines(folded)
    assert [len(line) for line in lines] == [75, 75, 64]  # 212 octets: 75 + (1 + 74) + (1 + 63)
    assert all(line.startswith(b" ") for line in lines[1:])
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "a" * 200


def test_fold_chinese_never_splits_a_character_and_stays_within_75_octets():
    value = "SUMMARY:" + "青岛高新区欧盟项目路演" * 20
    folded = fold(value)
    lines = _physical_lines(folded)
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # a split character would not decode
    assert max(len(line) for line in lines) >= 73  # filled, not folded early
    assert folded.replace("\r\n ", "") == value


def test_fold_mixed_scripts_and_four_octet_characters_round_trip():
    rng = random.Random(6)
    alphabet = "aZ9 ,;\\é€青岛😀𝄞ß"
    for _ in range(50):
        value = "SUMMARY:" + "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400)))
        folded = fold(value)
        for line in _physical_lines(folded):
            assert len(line) <= 75
            line.decode("utf-8")
        assert folded.replace("\r\n ", "") == value


def test_content_line_joins_name_params_and_value():
    assert content_line("DTSTART", "20261025T090000", ";TZID=Europe/Brussels") == (
        "DTSTART;TZID=Europe/Brussels:20261025T090000"
    )
