"""A parser for Moodle's GIFT question format — the subset a knowledge test uses.

Supported: comment lines (``//``), ``$CATEGORY:`` lines, question titles (``::title::``),
text formats (``[html]``, ``[markdown]``, ``[plain]``, ``[moodle]``), multiple choice with one
right answer (``{=right ~wrong}``), multiple answers with weights (``{~%50%a ~%50%b ~%-100%c}``),
true/false (``{T}``, ``{F}``, ``{TRUE}``, ``{FALSE}``, with ``#feedback when wrong#feedback when
right``), feedback per answer (``#``), general feedback (``####``), the escapes ``\\: \\~ \\=
\\# \\{ \\} \\\\`` and ``\\n``, blank lines between questions, UTF-8 with or without a BOM.

Refused, each named with its number, title and line: short answer, matching, numerical,
essay, description and missing word (answers in the middle of the text). The whole file is
refused if any question is; :func:`parse` raises :class:`GiftError` with every problem.

Text is stored as plain text: HTML is reduced to its text (tags removed, entities decoded),
so nothing a file holds is ever rendered as markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "truefalse"

# The options of a true/false question are stored as these words and translated when shown.
TRUE, FALSE = "True", "False"

MAX_TEXT = 4000
MAX_OPTION = 1000
MAX_QUESTIONS = 2000

_ESCAPABLE = ":~=#{}\\"
# Placeholders (private-use characters) for escaped characters while the structure is split.
_PLACE = {c: chr(0xE000 + i) for i, c in enumerate(_ESCAPABLE)}
_BACK = {v: k for k, v in _PLACE.items()}
_TF = re.compile(r"^(T|F|TRUE|FALSE)$", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")
_FORMAT = re.compile(r"^\[(html|markdown|plain|moodle)\]", re.IGNORECASE)


@dataclass
class Option:
    text: str
    weight: Decimal  # percent of the question's mark, -100 … 100
    feedback: str = ""


@dataclass
class Question:
    number: int  # 1-based, in the file
    line: int  # the line its text starts on
    title: str
    text: str
    text_format: str  # plain | html | markdown | moodle
    kind: str  # single | multiple | truefalse
    category: str = ""
    options: list[Option] = field(default_factory=list)
    general_feedback: str = ""

    @property
    def label(self) -> str:
        return f"{self.number} ({self.title})" if self.title else str(self.number)


class GiftError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _protect(text: str) -> str:
    """Replace escaped characters by placeholders (and ``\\n`` by a newline)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _PLACE:
                out.append(_PLACE[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_BACK.get(c, c) for c in text)


def _clean(text: str, text_format: str) -> str:
    """The text as plain text: placeholders restored, HTML reduced to its text, whitespace tidied."""
    text = _restore(text)
    if text_format == "html":
        text = re.sub(r"(?is)<(script|style)\b.*?(</\1\s*>|$)", "", text)
        text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</div>", "\n", text)
        text = html.unescape(strip_tags(text))
    lines = [" ".join(line.split()) for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """The file's blocks (separated by blank lines), each with the line it starts on; comment
    lines are dropped."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append((start, current))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GiftError([_("The file is not UTF-8 text (byte %(at)s).") % {"at": exc.start + 1}]) from exc
    if "\x00" in text:
        raise GiftError([_("The file is not a text file.")])
    return text


def parse(content: bytes | str) -> list[Question]:
    """Every question of a GIFT file, or :class:`GiftError` naming every problem."""
    text = decode(content) if isinstance(content, bytes) else content.lstrip("\ufeff")
    problems: list[str] = []
    questions: list[Question] = []
    category = ""
    number = 0
    for start, lines in _blocks(text):
        if lines[0].strip().startswith("$CATEGORY:"):
            category = lines[0].strip()[len("$CATEGORY:") :].strip()
            lines = lines[1:]
            start += 1
            if not lines:
                continue
        number += 1
        if number > MAX_QUESTIONS:
            problems.append(_("The file has more than %(max)s questions.") % {"max": MAX_QUESTIONS})
            break
        try:
            question = _question("\n".join(lines), number, start)
        except _Refused as refused:
            where = _("question %(label)s, line %(line)s") % {"label": refused.label, "line": start}
            problems.append(f"{where}: {refused.reason}")
            continue
        question.category = category
        questions.append(question)
    if not questions and not problems:
        problems.append(_("The file holds no questions."))
    if problems:
        raise GiftError(problems)
    return questions


class _Refused(Exception):
    def __init__(self, label: str, reason: str) -> None:
        super().__init__(reason)
        self.label, self.reason = label, reason


def _question(raw: str, number: int, line: int) -> Question:
    body = _protect(raw).strip()
    title = ""
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise _Refused(str(number), _("the title has no closing '::'."))
        title = _clean(body[2:end], "plain")
        body = body[end + 2 :].strip()
    label = f"{number} ({title})" if title else str(number)
    if len(title) > 200:
        raise _Refused(label, _("the title is longer than 200 characters."))
    text_format = "moodle"
    match = _FORMAT.match(body)
    if match:
        text_format = match.group(1).lower()
        body = body[match.end() :].lstrip()
    opening = body.find("{")
    if opening < 0:
        raise _Refused(
            label, _("it has no answers in { } (a description or an essay is not a test question).")
        )
    closing = body.find("}", opening)
    if closing < 0:
        raise _Refused(label, _("the answers have no closing '}'."))
    before, answers, after = body[:opening], body[opening + 1 : closing], body[closing + 1 :]
    if after.strip() and "\n" in after[: len(after) - len(after.lstrip())]:
        # Text on a new line after the answers: almost always the next question, written with
        # no blank line between the two (GIFT's only separator).
        raise _Refused(
            label,
            _(
                "more text follows the answers on the next line: is a blank line missing "
                "between two questions? Put an empty line after each question's '}'."
            ),
        )
    if "{" in answers or "{" in after or "}" in after:
        raise _Refused(label, _("it has more than one answer block (not supported)."))
    if after.strip():
        raise _Refused(
            label, _("missing-word questions (answers in the middle of the text) are not supported.")
        )
    question_text = _clean(before, text_format)
    if not question_text:
        raise _Refused(label, _("the question has no text."))
    if len(question_text) > MAX_TEXT:
        raise _Refused(label, _("the text is longer than %(max)s characters.") % {"max": MAX_TEXT})
    question = Question(number, line, title, question_text, text_format, SINGLE)
    content = answers.strip()
    general = ""
    if "####" in content:
        content, general = content.split("####", 1)
        content = content.strip()
        question.general_feedback = _clean(general, text_format)
    if not content:
        raise _Refused(label, _("essay questions are not supported."))
    if content.startswith("#"):
        raise _Refused(label, _("numerical questions are not supported."))
    head, _sep, tail = content.partition("#")
    if _TF.match(head.strip()):
        right = head.strip().upper().startswith("T")
        wrong_feedback, _sep2, right_feedback = tail.partition("#") if _sep else ("", "", "")
        question.kind = TRUE_FALSE
        question.options = [
            Option(
                TRUE,
                Decimal(100 if right else 0),
                _clean(right_feedback if right else wrong_feedback, text_format),
            ),
            Option(
                FALSE,
                Decimal(0 if right else 100),
                _clean(wrong_feedback if right else right_feedback, text_format),
            ),
        ]
        return question
    if content[0] not in "=~":
        raise _Refused(label, _("the answers must start with '=' or '~'."))
    parts = re.split(r"([=~])", content)
    options: list[tuple[str, str]] = []  # (mark, text with feedback)
    for i in range(1, len(parts), 2):
        options.append((parts[i], parts[i + 1]))
    if any("->" in text for mark, text in options if mark == "="):
        raise _Refused(label, _("matching questions are not supported."))
    if all(mark == "=" for mark, _t in options):
        raise _Refused(label, _("short-answer questions are not supported."))
    question.kind = SINGLE if any(mark == "=" for mark, _t in options) else MULTIPLE
    for mark, text in options:
        text = text.strip()
        weight = Decimal(100 if mark == "=" else 0)
        found = _WEIGHT.match(text)
        if found:
            try:
                weight = Decimal(found.group(1).replace(",", "."))
            except InvalidOperation:  # pragma: no cover - the pattern admits numbers only
                raise _Refused(label, _("a weight is not a number.")) from None
            if not -100 <= weight <= 100:
                raise _Refused(label, _("a weight must be between -100% and 100%."))
            text = text[found.end() :]
        answer, _sep3, feedback = text.partition("#")
        answer_text = _clean(answer, text_format)
        if not answer_text:
            raise _Refused(label, _("an answer has no text."))
        if len(answer_text) > MAX_OPTION:
            raise _Refused(label, _("an answer is longer than %(max)s characters.") % {"max": MAX_OPTION})
        question.options.append(Option(answer_text, weight, _clean(feedback, text_format)))
    if len(question.options) < 2:
        raise _Refused(label, _("a question needs at least two answers."))
    if question.kind == SINGLE and max(o.weight for o in question.options) < 100:
        raise _Refused(label, _("no answer is fully right (100%)."))
    if question.kind == MULTIPLE and sum(o.weight for o in question.options if o.weight > 0) < 99:
        raise _Refused(label, _("the right answers' weights add up to less than 100%."))
    return question
