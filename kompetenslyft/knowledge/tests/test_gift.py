"""The GIFT parser on realistic files (Swedish and Norwegian banks in the shapes of Moodle's own
examples) and on every kind of question it refuses."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kompetenslyft.knowledge import gift

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_swedish_bank_with_bom_categories_feedback_weights_escapes_and_formats() -> None:
    content = (FIXTURES / "digital_dokumentation.gift").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    questions = gift.parse(content)
    assert [q.title for q in questions] == [
        "Journalens syfte",
        "Signering",
        "Lösenord",
        "Känsliga uppgifter",
        "Utloggning",
        "Specialtecken",
        "HTML-fråga",
    ]
    first = questions[0]
    assert (first.number, first.line, first.kind) == (1, 6, gift.SINGLE)
    assert first.category == "$course$/top/Digital dokumentation/Grunder"
    assert [(o.text, o.weight) for o in first.options] == [
        ("För att den enskilde ska få en säker och god vård", Decimal(100)),
        ("För att chefen ska kunna kontrollera arbetet", Decimal(0)),
        ("För att det är roligt", Decimal(0)),
    ]
    assert first.options[0].feedback == "Rätt! Journalen är till för den enskildes säkerhet."
    assert first.general_feedback == "Läs mer i rutinen för dokumentation på intranätet."
    # {TRUE#wrong#right}: the right option carries the second feedback.
    signing = questions[1]
    assert signing.kind == gift.TRUE_FALSE
    assert [(o.text, o.weight, o.feedback) for o in signing.options] == [
        ("True", Decimal(100), "Rätt!"),
        ("False", Decimal(0), "Fel: den som skriver signerar alltid."),
    ]
    password = questions[2]
    assert [(o.text, o.weight) for o in password.options] == [("True", Decimal(0)), ("False", Decimal(100))]
    sensitive = questions[3]
    assert sensitive.kind == gift.MULTIPLE
    assert [o.weight for o in sensitive.options] == [Decimal(50), Decimal(50), Decimal(-100), Decimal(-100)]
    assert questions[4].text_format == "markdown"
    assert questions[4].category.endswith("/Säkerhet")
    escapes = questions[5]
    assert escapes.text == "Vilket tecken används för att skriva { i GIFT: ett klammerparentes?"
    assert [o.text for o in escapes.options] == [
        "Ett omvänt snedstreck före {",
        "Ett likhetstecken =",
        "En tilde ~",
    ]
    # HTML is reduced to its text: no tag, no script survives.
    html = questions[6]
    assert html.text == "Vilken app används för att signera läkemedel?"
    assert "<" not in html.text and "alert" not in html.text


def test_a_norwegian_bank_with_fractional_weights_and_an_untitled_question() -> None:
    questions = gift.parse((FIXTURES / "hemtjenesten_nb.txt").read_bytes())
    assert len(questions) == 4
    consent = questions[2]
    assert consent.kind == gift.MULTIPLE
    assert sum(o.weight for o in consent.options if o.weight > 0) == Decimal(100)
    untitled = questions[3]
    assert untitled.title == "" and untitled.kind == gift.TRUE_FALSE and untitled.line == 18
    assert untitled.text.startswith("Spørsmål uten tittel")


def test_unsupported_types_are_refused_each_named_with_number_title_and_line() -> None:
    with pytest.raises(gift.GiftError) as refused:
        gift.parse((FIXTURES / "blandet_ustottet.gift").read_bytes())
    assert refused.value.problems == [
        "question 1 (Kort svar), line 3: short-answer questions are not supported.",
        "question 3 (Matchning), line 7: matching questions are not supported.",
        "question 4 (Numerisk), line 9: numerical questions are not supported.",
        "question 5 (Uppsats), line 11: essay questions are not supported.",
        "question 6 (Saknat ord), line 13: missing-word questions (answers in the middle of the text) are not supported.",
        "question 7, line 15: it has no answers in { } (a description or an essay is not a test question).",
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe q {=a ~b}", "The file is not UTF-8 text (byte 1)."),
        (b"// only a comment\n\n", "The file holds no questions."),
        (b"::Ingen slut\n{=a ~b}", "question 1, line 1: the title has no closing '::'."),
        ("Fråga {=a ~b".encode(), "question 1, line 1: the answers have no closing '}'."),
        (
            "Fråga {~a ~b}".encode(),
            "question 1, line 1: the right answers' weights add up to less than 100%.",
        ),
        ("Fråga {=%50%a ~b}".encode(), "question 1, line 1: no answer is fully right (100%)."),
        ("Fråga {~%150%a ~b}".encode(), "question 1, line 1: a weight must be between -100% and 100%."),
        ("Fråga {=a}".encode(), "question 1, line 1: short-answer questions are not supported."),
        ("Fråga {=a ~}".encode(), "question 1, line 1: an answer has no text."),
        (b"{=a ~b}", "question 1, line 1: the question has no text."),
        (
            "::A::Första {=ja ~nej}\n::B::Andra {T}\n".encode(),
            "question 1 (A), line 1: more text follows the answers on the next line: is a blank "
            "line missing between two questions? Put an empty line after each question's '}'.",
        ),
    ],
)
def test_bad_files_name_the_problem(content: bytes, problem: str) -> None:
    with pytest.raises(gift.GiftError) as refused:
        gift.parse(content)
    assert refused.value.problems == [problem]


def test_windows_line_ends_comments_and_blank_lines_between_questions() -> None:
    text = "// kommentar\r\n::A::Första {=ja ~nej}\r\n\r\n\r\n// mellan\r\n::B::Andra\r\n{T}\r\n"
    questions = gift.parse(text.encode())
    assert [(q.title, q.line, q.kind) for q in questions] == [
        ("A", 2, gift.SINGLE),
        ("B", 6, gift.TRUE_FALSE),
    ]


def test_a_backslash_n_is_a_new_line_and_a_double_backslash_a_backslash() -> None:
    (question,) = gift.parse(r"Rad ett\nrad två med \\ tecken {=ja ~nej}".encode())
    assert question.text == "Rad ett\nrad två med \\ tecken"
