"""What the demo's teachers write: instructions, rubrics and feedback comments.

Comments follow what good feedback does: say what is specific and good about the work, then one
next step the student can take. Placeholders: ``{name}`` (the student's first name), ``{topic}``
(the topic as it reads in a sentence) and ``{title}`` (the assignment).
"""

from __future__ import annotations

from dataclasses import dataclass

from village.demo.classwork.catalogue import Kind

INSTRUCTIONS: dict[Kind, tuple[str, tuple[str, ...]]] = {
    Kind.PRACTICE: (
        "Practise what we learned about {topic} with the problems on the sheet from class.",
        (
            "Show your thinking, not just the answer.",
            "Check two of your answers a different way.",
            "Star one problem you want to talk about in class.",
        ),
    ),
    Kind.QUIZ: (
        "A short quiz in class on {topic}. Review your notes and the practice problems first.",
        ("It takes about 20 minutes.", "Bring a pencil and your notebook."),
    ),
    Kind.TEST: (
        "The end-of-unit test on {topic}, in class.",
        (
            "Redo the practice sets and check your answers with the key.",
            "Bring your questions to the review session at lunch.",
            "Get a good night's sleep the night before.",
        ),
    ),
    Kind.LAB: (
        "Write up our lab on {topic}.",
        (
            "State the question and your hypothesis.",
            "Describe what you did, step by step.",
            "Record your data in a table.",
            "Explain what your evidence shows, and what you would change next time.",
        ),
    ),
    Kind.PROJECT: (
        "Project: {title}. Show what you know about {topic} in your own way.",
        (
            "Plan first and show me your plan before you start.",
            "Use at least two sources and say where your facts come from.",
            "Check your work against the rubric before you hand it in.",
        ),
    ),
    Kind.WRITING: (
        "Write a piece about {topic}.",
        (
            "Plan your ideas with a graphic organiser.",
            "Write a draft, then read it aloud and revise it.",
            "Check capitals, spelling and punctuation last.",
        ),
    ),
    Kind.READING: (
        "Read for at least 20 minutes each day and answer the questions in your reading journal.",
        ("Write the date and the pages you read.", "Copy one sentence you liked and say why."),
    ),
    Kind.SKILL: (
        "Skill check: {title}. Practise at home and show me in class.",
        ("Practise a little every day.", "Write one sentence about what you improved."),
    ),
}

MATERIALS: dict[Kind, str] = {
    Kind.PRACTICE: "Practice sheet",
    Kind.QUIZ: "Review sheet",
    Kind.TEST: "Study guide",
    Kind.LAB: "Lab handout",
    Kind.PROJECT: "Project guide and rubric",
    Kind.WRITING: "Graphic organiser",
    Kind.READING: "Reading journal questions",
    Kind.SKILL: "Practice video",
}


@dataclass(frozen=True)
class RubricText:
    title: str
    criteria: tuple[tuple[str, str], ...]  # (criterion, what it looks for)


# Rubric levels, best first (as teachers write them), with their points.
LEVELS = (
    ("Exemplary", "Goes beyond the goal.", 4),
    ("Proficient", "Meets the goal.", 3),
    ("Developing", "Partly there: some parts are missing or unclear.", 2),
    ("Beginning", "Not yet: needs a lot of support.", 1),
)

RUBRICS: dict[Kind, RubricText] = {
    Kind.LAB: RubricText(
        "Lab report",
        (
            ("Question and hypothesis", "A testable question and a prediction with a reason."),
            ("Procedure", "Steps clear enough for someone else to repeat."),
            ("Data", "Measurements recorded in a labelled table, with units."),
            ("Conclusion", "Answers the question using the data as evidence."),
        ),
    ),
    Kind.PROJECT: RubricText(
        "Project",
        (
            ("Understanding", "Shows accurate understanding of the topic."),
            ("Research", "Uses facts from more than one source."),
            ("Presentation", "Neat, organised and easy to follow."),
            ("Effort", "Planned, revised and finished on time."),
        ),
    ),
    Kind.WRITING: RubricText(
        "Writing",
        (
            ("Ideas", "A clear main idea that stays in focus."),
            ("Organisation", "A beginning, middle and end, with transitions."),
            ("Evidence and detail", "Reasons and examples that support the main idea."),
            ("Conventions", "Capitals, spelling and punctuation."),
        ),
    ),
    Kind.SKILL: RubricText(
        "Skill check",
        (
            ("Technique", "Uses the skill correctly."),
            ("Practice", "Has clearly practised since the last lesson."),
            ("Reflection", "Can say what improved and what to work on."),
        ),
    ),
}
RUBRIC_KINDS = frozenset(RUBRICS)

# Grading categories and their weights (percent) when a class has work of that kind.
CATEGORIES: dict[Kind, tuple[str, int]] = {
    Kind.PRACTICE: ("Homework", 20),
    Kind.QUIZ: ("Quizzes and tests", 40),
    Kind.TEST: ("Quizzes and tests", 40),
    Kind.LAB: ("Labs", 30),
    Kind.PROJECT: ("Projects", 30),
    Kind.WRITING: ("Writing", 30),
    Kind.READING: ("Reading", 20),
    Kind.SKILL: ("Performance", 40),
}
POINTS: dict[Kind, int] = {Kind.PRACTICE: 10, Kind.QUIZ: 20, Kind.TEST: 50, Kind.READING: 10}

STRONG, SOLID, GROWING = "strong", "solid", "growing"

_WORK: dict[str, tuple[str, ...]] = {
    STRONG: (
        "Excellent work, {name}. Every answer is right and your working is easy to follow. "
        "Next step: try the challenge problems at the end of the sheet.",
        "{name}, you clearly understand {topic}. I especially liked how you checked your answers. "
        "Next step: explain one problem to a classmate who is stuck.",
    ),
    SOLID: (
        "Good work, {name}. Most of {topic} is secure; look again at the ones you missed and find "
        "where each went off track. Next step: redo those and show me.",
        "Nice effort, {name}. Your method is right, but a few small slips cost you points. "
        "Next step: slow down on the last step and check your work before handing it in.",
    ),
    GROWING: (
        "{name}, I can see you worked on this. {topic_cap} is tricky and some steps got mixed up. "
        "Next step: come to lunch help on Tuesday and we will go through them together.",
        "Thank you for sticking with this, {name}. Start with the worked example in your notes "
        "and try problems 1 to 3 again. Next step: bring them to me so we can check them together.",
    ),
}

COMMENTS: dict[Kind, dict[str, tuple[str, ...]]] = {
    Kind.PRACTICE: _WORK,
    Kind.QUIZ: _WORK,
    Kind.TEST: _WORK,
    Kind.READING: {
        STRONG: (
            "{name}, your journal entries are thoughtful and you back up your ideas with "
            "quotes. Next step: predict what will happen next and say why.",
        ),
        SOLID: (
            "Good reading, {name}. Your summaries are clear. Next step: add what you think about "
            "the story, not only what happened.",
        ),
        GROWING: (
            "{name}, a few days are missing from your log. Try reading at the same time every "
            "day. Next step: pick a book you enjoy from our class library.",
        ),
    },
    Kind.LAB: {
        STRONG: (
            "Careful lab work, {name}. Your data table is complete and your conclusion uses your "
            "own measurements as evidence. Next step: name one source of error and how to "
            "reduce it.",
            "{name}, this is a model lab report on {topic}. Your hypothesis gives a reason and "
            "your procedure could be repeated by anyone. Next step: add a graph of your results.",
        ),
        SOLID: (
            "Good lab report, {name}. Your procedure is clear, but the conclusion needs to quote "
            "your data. Next step: add two numbers from your table to the conclusion.",
            "{name}, your observations are detailed. Your table is missing units in two columns. "
            "Next step: add the units and explain what the pattern in your data means.",
        ),
        GROWING: (
            "{name}, you did the experiment carefully, but the write-up is missing the data "
            "table. Next step: use the lab template and we will fill in the table together at "
            "lunch.",
            "Thanks for your work, {name}. Your conclusion does not yet answer the question. "
            "Next step: reread the question, then write one sentence that answers it with "
            "evidence.",
        ),
    },
    Kind.WRITING: {
        STRONG: (
            "{name}, your writing has a clear voice and your details make the reader care. "
            "Next step: try varying how your sentences begin.",
            "Wonderful piece, {name}. Your main idea is clear from the first line and every "
            "paragraph supports it. Next step: sharpen your ending so it echoes your opening.",
        ),
        SOLID: (
            "Good writing, {name}. Your ideas are clear, but the middle paragraphs need "
            "transitions. Next step: add linking words such as 'however' and 'as a result'.",
            "{name}, your opening grabs the reader. Your evidence is thin in the second "
            "paragraph. Next step: add one specific example to back it up.",
        ),
        GROWING: (
            "{name}, you have good ideas here. The piece needs a clear beginning, middle and end. "
            "Next step: use the graphic organiser to plan it, then rewrite the first paragraph.",
            "Thank you, {name}. Several sentences run together. Next step: read it aloud and put a "
            "full stop where you pause; I will check the first paragraph with you.",
        ),
    },
    Kind.PROJECT: {
        STRONG: (
            "Outstanding project, {name}! It shows real understanding of {topic} and it is "
            "beautifully organised. Next step: share it with the class on Friday.",
            "{name}, your project is accurate, creative and clearly explained. "
            "Next step: add a short list of your sources.",
        ),
        SOLID: (
            "Good project, {name}. Your facts about {topic} are accurate; the layout makes it a "
            "little hard to follow. Next step: add headings so the reader knows where to look.",
            "Nice work, {name}. You planned well. Next step: explain the 'why' behind your facts, "
            "not only the 'what'.",
        ),
        GROWING: (
            "{name}, you made a good start. Some parts of the project are unfinished. "
            "Next step: let's make a plan together for the missing parts.",
            "Thanks, {name}. A few facts about {topic} are not quite right. Next step: check them "
            "against your notes and correct them in a different colour.",
        ),
    },
    Kind.SKILL: {
        STRONG: (
            "Great skill check, {name}! Your technique is smooth and confident. "
            "Next step: help a partner with theirs.",
        ),
        SOLID: (
            "Good job, {name}. Your technique is mostly there. Next step: practise the hardest "
            "part slowly for five minutes a day.",
        ),
        GROWING: (
            "{name}, keep going: this skill takes time. Next step: practise with the video at "
            "home and show me again next week.",
        ),
    },
}

LATE_NOTE = (
    "Thanks for handing this in. It came in after the due date; plan ahead for the next one. "
)
RESUBMITTED_NOTE = "Your revision is much stronger than your first try. "
EXCUSED_COMMENT = "Excused: you were away for this one, so there is no need to make it up."
