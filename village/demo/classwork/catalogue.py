"""What the demo school's classes study this term: topics, the work set for each, and events.

Pure data. ``village.demo.classwork.term`` lays the topics out week by week around today and turns
each piece of work into an assignment. A catalogue has one or more *strands* (a homeroom teaches
maths and literacy side by side); the topics of a strand follow each other, two weeks each.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The kind of a piece of work: decides its category, its scoring and its instructions."""

    PRACTICE = "practice"
    QUIZ = "quiz"
    TEST = "test"
    LAB = "lab"
    PROJECT = "project"
    WRITING = "writing"
    READING = "reading"
    SKILL = "skill"


@dataclass(frozen=True)
class Work:
    title: str
    kind: Kind
    task: str = ""  # the opening paragraph of the instructions; a default per kind otherwise
    families: bool = True  # do families see it (warm-ups and exit tickets stay in class)


@dataclass(frozen=True)
class Topic:
    title: str
    summary: str
    work: tuple[Work, ...]
    phrase: str = ""  # how a sentence names it ("the water cycle"); the title, lowered, if empty

    @property
    def name_in_sentence(self) -> str:
        return self.phrase or self.title[:1].lower() + self.title[1:]


@dataclass(frozen=True)
class Event:
    title: str
    description: str
    location: str
    week: int  # relative to this week (0), Monday first
    weekday: int
    start_hour: int
    hours: int
    all_day: bool = False


@dataclass(frozen=True)
class Catalogue:
    strands: tuple[tuple[Topic, ...], ...]
    events: tuple[Event, ...] = ()


P, Q, T, L, J, W, R, S = (
    Kind.PRACTICE, Kind.QUIZ, Kind.TEST, Kind.LAB, Kind.PROJECT, Kind.WRITING, Kind.READING,
    Kind.SKILL,
)  # fmt: skip


def _topic(title: str, summary: str, *work: tuple[str, Kind] | Work, phrase: str = "") -> Topic:
    items = tuple(item if isinstance(item, Work) else Work(*item) for item in work)
    return Topic(title, summary, items, phrase)


def catalogue(*strands: str, events: str = "") -> Catalogue:
    """A catalogue from strands and events written as text (``village.demo.classwork.subjects``)."""
    return Catalogue(tuple(_strand(text) for text in strands), _events(events))


def _blocks(text: str) -> list[list[str]]:
    return [
        [line.strip() for line in block.strip().splitlines()]
        for block in text.strip().split("\n\n")
        if block.strip()
    ]


def _events(text: str) -> tuple[Event, ...]:
    """Each event: ``week weekday hour hours | title | place``, then its description."""
    events = []
    for lines in _blocks(text):
        when, title, location = (part.strip() for part in lines[0].split("|"))
        week, weekday, hour, hours = (int(number) for number in when.split())
        events.append(Event(title, " ".join(lines[1:]), location, week, weekday, hour, hours))
    return tuple(events)


def _strand(text: str) -> tuple[Topic, ...]:
    topics = []
    for lines in _blocks(text):
        title, _, phrase = lines[0].partition(" | ")
        summary = " ".join(line for line in lines[1:] if not line.startswith("- "))
        work = [line[2:].partition(": ") for line in lines[1:] if line.startswith("- ")]
        items = tuple(Work(work_title, Kind(kind)) for kind, _, work_title in work)
        topics.append(Topic(title, summary, items, phrase))
    return tuple(topics)


# --- the persona classes (PRODUCT.md): Ms. Rivera's grade 5 homeroom, grade 8 science and math ---

HOMEROOM_5 = Catalogue(
    strands=(
        (
            _topic(
                "Place value with decimals",
                "We read, write and compare decimals to the thousandths and round them to any "
                "place.",
                ("Decimal place value practice", P),
                ("Quiz: comparing and rounding decimals", Q),
            ),
            _topic(
                "Fractions on a number line",
                "We place fractions and mixed numbers on a number line and use it to compare "
                "fractions with different denominators.",
                ("Fractions on a number line practice", P),
                ("Quiz: fractions on a number line", Q),
            ),
            _topic(
                "Adding and subtracting fractions",
                "We find common denominators to add and subtract fractions and mixed numbers, and "
                "check our answers with fraction strips.",
                Work(
                    "Adding fractions with unlike denominators",
                    P,
                    "Solve the ten problems on the sheet. Find a common denominator first, and "
                    "draw fraction strips for problems 1 to 3.",
                ),
                Work(
                    "Recipe math: doubling a recipe",
                    J,
                    "Choose a family recipe (or one from our class book) and rewrite it for twice "
                    "as many people. Show the fraction work for every ingredient.",
                ),
            ),
            _topic(
                "Multiplying fractions",
                "We multiply fractions by whole numbers and by other fractions, using area models "
                "to see why it works.",
                ("Area models for multiplying fractions", P),
                ("Quiz: multiplying fractions", Q),
            ),
            _topic(
                "Volume of rectangular prisms",
                "We find the volume of boxes by counting unit cubes, then with length times width "
                "times height.",
                ("Build a box: volume challenge", J),
                ("Volume practice", P),
            ),
        ),
        (
            _topic(
                "Reading a novel: characters and setting",
                "We begin our class novel and track how the main character feels and changes, "
                "with evidence from the text.",
                ("Reading journal: chapters 1-5", R),
                ("Character map", W),
                phrase="our class novel",
            ),
            _topic(
                "The water cycle",
                "We follow water through evaporation, condensation, precipitation and collection, "
                "and build a model of the cycle in a sealed bag.",
                Work(
                    "Water cycle in a bag: observation log",
                    L,
                    "Tape your water cycle bag to a sunny window. Each day for a week, draw what "
                    "you see and label where evaporation, condensation and precipitation happen.",
                ),
                ("Water cycle diagram", J),
            ),
            _topic(
                "Persuasive letters",
                "We write letters that take a clear position, give reasons with evidence, and "
                "answer the other side politely.",
                Work(
                    "Persuasive letter: first draft",
                    W,
                    "Write a letter to our principal about a change you would like at school. "
                    "State your opinion in the first paragraph and give two reasons with evidence.",
                ),
                Work(
                    "Persuasive letter: final copy",
                    W,
                    "Revise your first draft using my comments and your partner's, then write "
                    "your final copy neatly or type it.",
                ),
            ),
            _topic(
                "Weather and climate",
                "We measure temperature, rainfall and wind at the school weather station and "
                "learn how weather differs from climate.",
                ("Weather station log", L),
                ("Reading journal: chapters 6-10", R),
            ),
            _topic(
                "Reading a novel: theme",
                "We finish our class novel and talk about its big message, using what the "
                "characters learn to find the theme.",
                ("Theme paragraph", W),
                ("Book talk presentation", J),
                phrase="the theme of our class novel",
            ),
        ),
    ),
    events=(
        Event(
            "Field trip: Riverside Water Treatment Plant",
            "We see how the town cleans river water. Bring a packed lunch and wear closed shoes.",
            "Riverside Water Treatment Plant",
            1, 2, 9, 5,
        ),
        Event(
            "Family reading night",
            "Students read a favourite chapter aloud to their families. Younger siblings welcome.",
            "School library",
            -2, 3, 18, 1,
        ),
    ),
)  # fmt: skip

SCIENCE_8 = Catalogue(
    strands=(
        (
            _topic(
                "Density",
                "We measure mass and volume to find the density of solids and liquids and use it "
                "to predict what sinks and what floats.",
                ("Density lab: sink or float?", L),
                ("Density practice problems", P),
                ("Quiz: mass, volume and density", Q),
                ("Floating and sinking predictions", P),
            ),
            _topic(
                "Cells",
                "We look at plant and animal cells under the microscope and learn what each part "
                "of a cell does.",
                ("Microscope lab: onion and cheek cells", L),
                ("Cell organelle model", J),
                ("Quiz: cell parts and their jobs", Q),
                ("Cell diagram labelling", P),
            ),
            _topic(
                "Forces and motion",
                "We measure speed, see how friction and gravity change motion, and tell balanced "
                "from unbalanced forces.",
                Work(
                    "Lab report: ramps and friction",
                    L,
                    "Write up the ramp lab: how did the surface change how far the car rolled? "
                    "Use your three trials for each surface as evidence.",
                ),
                ("Speed and velocity practice", P),
                ("Quiz: balanced and unbalanced forces", Q),
                Work("Exit ticket: friction", P, families=False),
            ),
            _topic(
                "Newton's laws of motion",
                "We test Newton's three laws with carts, balloons and falling objects, and design "
                "a package that protects an egg.",
                ("Egg drop design brief", J),
                ("Newton's laws practice", P),
                ("Unit test: forces and motion", T),
                ("Balloon rocket investigation", L),
                phrase="Newton's laws of motion",
            ),
            _topic(
                "Energy transformations",
                "We follow energy as it changes form, from a roller coaster's height to its speed, "
                "and measure how much is lost to heat.",
                ("Roller coaster energy lab", L),
                ("Energy transformations practice", P),
                ("Quiz: kinetic and potential energy", Q),
                ("Energy in my home survey", J),
            ),
        ),
    ),
    events=(
        Event(
            "Science fair",
            "Grade 8 projects on show for families and the community. Judging starts at 5:30.",
            "School gym",
            2, 3, 17, 2,
        ),
        Event(
            "Unit test: forces and motion",
            "In class. Review session at lunch the day before; bring your lab reports.",
            "Lab 2",
            1, 2, 10, 1,
        ),
        Event(
            "Guest scientist: a visit from the river research station",
            "A water scientist shows how she measures the river's health.",
            "Lab 2",
            -3, 1, 10, 1,
        ),
    ),
)  # fmt: skip

MATH_8 = Catalogue(
    strands=(
        (
            _topic(
                "Linear equations",
                "We solve equations in one variable, including equations with the variable on "
                "both sides, and check each solution.",
                ("Solving two-step equations", P),
                ("Equations with variables on both sides", P),
                ("Quiz: solving linear equations", Q),
                Work("Exit ticket: checking solutions", P, families=False),
            ),
            _topic(
                "Slope",
                "We find slope from graphs, tables and two points, and explain what it means as a "
                "rate of change.",
                ("Slope from graphs and tables", P),
                Work(
                    "Staircase slope investigation",
                    J,
                    "Measure the rise and run of three staircases at school or at home and "
                    "compare their slopes. Which is steepest, and how do you know?",
                ),
                ("Quiz: slope", Q),
                ("Slope between two points", P),
            ),
            _topic(
                "Slope-intercept form",
                "We write and graph equations in the form y = mx + b and connect m and b to real "
                "situations.",
                ("Graphing y = mx + b", P),
                Work(
                    "Writing equations from word problems",
                    P,
                    "For each of the eight situations, write an equation in slope-intercept form "
                    "and say what the slope and the y-intercept mean.",
                ),
                ("Unit test: linear equations and slope", T),
                ("Slope-intercept form practice", P),
            ),
            _topic(
                "Systems of linear equations",
                "We solve two equations together by graphing and by substitution, and use them "
                "to compare two phone plans.",
                ("Solving systems by graphing", P),
                ("Phone plan comparison", J),
                ("Quiz: systems of equations", Q),
                ("Substitution practice", P),
            ),
            _topic(
                "Functions",
                "We decide whether a relation is a function and compare functions given as "
                "tables, graphs and rules.",
                ("Function or not? Sorting practice", P),
                ("Quiz: functions", Q),
                ("Comparing functions practice", P),
                Work("Exit ticket: is it a function?", P, families=False),
            ),
        ),
    ),
    events=(
        Event(
            "Unit test: linear equations and slope",
            "In class. Review session at lunch the day before.",
            "Room 21",
            -1, 4, 10, 1,
        ),
    ),
)  # fmt: skip


# --- the generated district (``village generate``): topics by subject ---------------------------

SUBJECT_TOPICS: dict[str, tuple[str, ...]] = {
    "Homeroom": ("Our classroom community", "Letters and sounds", "Counting and cardinality",
                 "Seasons and weather", "Shapes around us", "Community helpers",
                 "Plants and seeds", "Telling stories", "Measuring things"),
    "Mathematics": ("Place value", "Addition and subtraction", "Multiplication strategies",
                    "Fractions", "Decimals", "Ratios and rates", "Expressions and equations",
                    "Geometry and area", "Data and graphs"),
    "Reading": ("Reading for meaning", "Characters and setting", "Main idea and details",
                "Nonfiction features", "Fables and folktales", "Poetry", "Author's purpose",
                "Comparing texts", "Book clubs"),
    "Writing": ("Personal narratives", "Opinion writing", "Informative writing", "Paragraphs",
                "Letters", "Research skills", "Poetry writing", "Revising and editing",
                "Publishing our work"),
    "Science": ("The scientific method", "Matter and its properties", "Forces and motion",
                "Energy", "Ecosystems", "The water cycle", "Earth and space", "Cells",
                "Weather and climate"),
    "Social Studies": ("Maps and globes", "Communities", "Early civilisations", "Government",
                       "Economics and trade", "Explorers", "Our state's history", "Citizenship",
                       "Cultures of the world"),
    "Art": ("Line and shape", "Colour theory", "Drawing from observation", "Painting",
            "Clay sculpture", "Printmaking", "Collage", "Art history", "Portfolio"),
    "Music": ("Rhythm and notation", "Singing", "Instruments", "Music around the world",
              "Composing", "Listening skills", "Concert rehearsals", "Dynamics and tempo",
              "Performance"),
    "Physical Education": ("Fitness goals", "Soccer skills", "Basketball", "Volleyball",
                           "Healthy habits", "Dance and rhythm", "Track and field",
                           "Teamwork games", "Fitness check"),
    "Library": ("Finding a book", "Library research", "Authors and illustrators",
                "Fiction and nonfiction", "Reading challenge", "Digital citizenship",
                "Book reviews", "Poetry corner", "Storytelling"),
    "English Language Arts": ("Short stories", "Narrative writing", "Argument writing",
                              "Poetry", "Novel study", "Research writing", "Speeches",
                              "Grammar in context", "Media literacy"),
    "Spanish": ("Greetings and introductions", "Family and friends", "School life",
                "Food and meals", "Daily routines", "Weather and seasons", "Travel",
                "Past tense stories", "Culture project"),
    "Computer Science": ("Algorithms", "Loops", "Conditionals", "Variables", "Debugging",
                         "Data and privacy", "Web pages", "Game design", "Final project"),
    "Health": ("Nutrition", "Sleep and rest", "Mental health", "Friendships", "First aid",
               "Safety online", "Growth and change", "Decision making", "Community health"),
    "Algebra": ("Linear equations", "Inequalities", "Functions", "Slope", "Systems of equations",
                "Exponents", "Polynomials", "Factoring", "Quadratic functions"),
    "Geometry": ("Points, lines and planes", "Angles", "Triangles", "Congruence", "Similarity",
                 "Right triangles", "Circles", "Area and volume", "Transformations"),
    "Biology": ("Cells", "Cell division", "Genetics", "Evolution", "Ecology", "Classification",
                "Plants", "Human body", "Microorganisms"),
    "Chemistry": ("Atomic structure", "The periodic table", "Chemical bonds", "Reactions",
                  "Stoichiometry", "Gases", "Solutions", "Acids and bases", "Energy"),
    "English": ("The short story", "Poetry", "Drama", "The novel", "Argument", "Research paper",
                "Rhetoric", "Literary analysis", "Personal essay"),
    "World History": ("Ancient civilisations", "Classical empires", "The Middle Ages",
                      "The Renaissance", "Exploration", "Revolutions", "Industrialisation",
                      "World wars", "The modern world"),
    "U.S. History": ("Colonial America", "The Revolution", "The Constitution", "Expansion",
                     "Civil War", "Reconstruction", "Industrial age", "Civil rights",
                     "Modern America"),
    "Economics": ("Scarcity and choice", "Supply and demand", "Markets", "Money and banking",
                  "Personal finance", "Government and the economy", "Trade", "Inflation",
                  "Entrepreneurship"),
    "Physics": ("Motion", "Forces", "Energy", "Momentum", "Waves", "Sound", "Light",
                "Electricity", "Magnetism"),
}  # fmt: skip
DEFAULT_TOPICS = SUBJECT_TOPICS["Homeroom"]
