"""The term's work in the demo school's middle-school classes (the persona classes are in
``catalogue``), written as text: a topic's title, one or two sentences on what the class
does, then one line per piece of work (``- kind: title``). Topics are separated by a blank line;
each string is a strand of topics that follow each other. An event is
``week weekday hour hours | title | place`` (week 0 is this week, weekday 0 is Monday) followed by
its description.
"""

from __future__ import annotations

from village.demo.classwork.catalogue import (
    HOMEROOM_5,
    MATH_8,
    SCIENCE_8,
    Catalogue,
    catalogue,
)
from village.demo.classwork.homerooms import HOMEROOM_4, HOMEROOM_EARLY, HOMEROOM_PRIMARY

MATH_6 = catalogue(
    """
    Ratios
    We write ratios, make ratio tables and use them to compare quantities.
    - practice: Ratio tables practice
    - project: Recipe ratios
    - quiz: Quiz: ratios
    - practice: Ratio word problems

    Unit rates and percents
    We find unit rates and percents and use them to compare prices.
    - practice: Unit price practice
    - practice: Percent practice
    - quiz: Quiz: rates and percents
    - project: Best buy: comparing unit prices

    Dividing fractions
    We divide fractions using models and understand why the rule works.
    - practice: Dividing fractions practice
    - practice: Fraction story problems
    - test: Unit test: ratios and fractions
    - practice: Fraction division with models

    Expressions
    We write and evaluate expressions with variables and use the order of operations.
    - practice: Writing expressions practice
    - practice: Order of operations puzzle
    - quiz: Quiz: expressions
    - practice: Equivalent expressions

    Area of polygons
    We find areas of triangles and other polygons by cutting and rearranging shapes.
    - practice: Area practice
    - project: Design a garden
    - quiz: Quiz: area
    - practice: Area of composite figures
    """,
)

MATH_7 = catalogue(
    """
    Proportional relationships
    We recognise proportional relationships in tables, graphs and equations.
    - practice: Proportional or not?
    - practice: Constant of proportionality practice
    - quiz: Quiz: proportional relationships
    - practice: Proportions in recipes

    Integers
    We add, subtract, multiply and divide positive and negative numbers.
    - practice: Integer operations practice
    - practice: Temperature change problems
    - quiz: Quiz: integers
    - practice: Integers on the number line

    Percent problems
    We solve problems with tax, tips, discounts and percent change.
    - practice: Percent change practice
    - project: Shopping trip budget
    - test: Unit test: proportions and percents
    - practice: Discounts and sales tax

    Equations and inequalities
    We write and solve two-step equations and inequalities from word problems.
    - practice: Two-step equations practice
    - practice: Inequalities on a number line
    - quiz: Quiz: equations and inequalities
    - practice: Solving inequalities

    Circles
    We find the circumference and area of circles and discover pi with string and cans.
    - project: Finding pi investigation
    - practice: Circle practice
    - quiz: Quiz: circles
    - practice: Area of circles
    """,
)

SCIENCE_6 = catalogue(
    """
    The scientific method
    We ask testable questions, plan fair tests and record careful observations.
    - lab: Paper towel absorbency lab
    - practice: Variables practice
    - quiz: Quiz: fair tests
    - writing: Writing testable questions

    Weather and the atmosphere
    We learn the layers of the atmosphere and how air pressure brings weather.
    - lab: Build a barometer lab
    - practice: Weather map practice
    - quiz: Quiz: the atmosphere
    - writing: Weather journal

    Plate tectonics
    We see how moving plates build mountains and cause earthquakes and volcanoes.
    - project: Plate boundaries model
    - practice: Earthquake waves practice
    - quiz: Quiz: plate tectonics
    - writing: Earthquake safety plan

    Rocks and minerals
    We identify minerals by their properties and follow the rock cycle.
    - lab: Mineral identification lab
    - project: Rock cycle comic
    - quiz: Quiz: the rock cycle
    - practice: Rock cycle practice

    Ecosystems
    We trace energy through food webs and see what happens when one part changes.
    - project: Food web project
    - lab: Pond water lab
    - quiz: Quiz: ecosystems
    - practice: Food chain practice
    """,
    events="""
    2 1 9 5 | Field trip: Riverside Nature Center | Riverside Nature Center
    Pond study; boots recommended.
    """,
)

SCIENCE_7 = catalogue(
    """
    Atoms and molecules
    We model atoms and molecules and see how they make up everything around us.
    - project: Molecule models
    - practice: Atoms practice
    - quiz: Quiz: atoms and molecules
    - practice: Periodic table scavenger hunt

    Chemical reactions
    We look for signs of chemical reactions and check that mass is conserved.
    - lab: Baking soda and vinegar lab
    - practice: Balancing equations practice
    - quiz: Quiz: chemical reactions
    - writing: Reaction observations

    Photosynthesis
    We test how light changes the rate at which leaves make oxygen.
    - lab: Leaf disk lab
    - practice: Photosynthesis practice
    - quiz: Quiz: photosynthesis
    - practice: Plant cell review

    Human body systems
    We learn how the body's systems work together to keep us alive.
    - project: Body systems poster
    - lab: Heart rate lab
    - test: Unit test: body systems
    - practice: Body systems practice

    Genetics
    We use Punnett squares to predict how traits are passed from parents to offspring.
    - practice: Punnett square practice
    - project: Family traits survey
    - quiz: Quiz: genetics
    - practice: Dominant and recessive traits
    """,
)

ELA = catalogue(
    """
    Short stories
    We read short stories closely and explain how the author builds suspense.
    - reading: Reading response: the opening scene
    - practice: Story elements chart
    - quiz: Quiz: short story terms
    - writing: Suspense paragraph

    Narrative writing
    We write our own short story with dialogue, description and a clear ending.
    - practice: Story plan
    - writing: Short story draft
    - writing: Short story final copy
    - practice: Punctuating dialogue

    Argument writing
    We build arguments with a claim, reasons, evidence and a counterclaim.
    - practice: Claim and evidence practice
    - writing: Argument essay
    - quiz: Quiz: parts of an argument
    - reading: Articles for and against

    Poetry
    We read poems aloud, notice figurative language and write our own.
    - practice: Figurative language practice
    - writing: Poetry portfolio
    - skill: Poem recitation
    - reading: Poem of the week

    Novel study
    We read a novel in book clubs and discuss its characters and themes.
    - reading: Book club journal
    - writing: Character analysis
    - project: Book club presentation
    - practice: Vocabulary in context
    """,
    events="""
    1 4 14 1 | Poetry café | Library
    Students read their poems; families welcome.
    """,
)

SOCIAL_STUDIES = catalogue(
    """
    Geography skills
    We read maps, use latitude and longitude and compare regions of the world.
    - practice: Latitude and longitude practice
    - project: Map of a region
    - quiz: Quiz: geography skills
    - practice: Climate zones

    Early civilisations
    We compare how early civilisations used rivers, farming and writing.
    - practice: River civilisations chart
    - writing: Artefact analysis
    - quiz: Quiz: early civilisations
    - reading: Life along the Nile

    Government and citizenship
    We learn how laws are made and what citizens can do in their community.
    - practice: How a bill becomes a law
    - writing: Letter to a local leader
    - quiz: Quiz: branches of government
    - practice: Rights and responsibilities

    Trade and economics
    We learn about supply, demand and trade by running a class market.
    - project: Class market project
    - practice: Supply and demand practice
    - test: Unit test: government and economics
    - reading: The Silk Road

    Our town's history
    We interview family members and use old photos to tell our town's story.
    - writing: Family history interview
    - project: Then-and-now photo project
    - quiz: Quiz: primary sources
    - writing: Interview reflection
    """,
)

ART = catalogue(
    """
    Line and shape
    We use different kinds of lines and shapes to show movement and mood.
    - skill: Line study sketches
    - practice: Sketchbook: lines in nature
    - skill: Contour drawing of your hand
    - project: Shape collage

    Colour theory
    We mix paints to make colour wheels and use warm and cool colours on purpose.
    - project: Colour wheel painting
    - practice: Sketchbook: warm and cool colours
    - skill: Colour mixing check
    - project: Monochrome painting

    Drawing from observation
    We draw still lifes from observation, looking for light and shadow.
    - project: Still life drawing
    - practice: Sketchbook: shadows at home
    - skill: Shading skill check
    - practice: Self-portrait sketch

    Clay sculpture
    We build pinch pots and coil pots and decorate them with texture.
    - skill: Pinch pot
    - practice: Sketchbook: pottery designs
    - project: Coil pot
    - skill: Texture tiles

    Printmaking
    We carve foam plates and print a series of our own designs.
    - practice: Sketchbook: print designs
    - project: Foam plate print series
    - skill: Printing skill check
    - writing: Artist statement
    """,
    events="""
    3 3 15 3 | Art show | Front hall
    Student work from every grade in the front hall.
    """,
)

PHYSICAL_EDUCATION = catalogue(
    """
    Fitness goals
    We test our fitness and set a personal goal for the term.
    - practice: Fitness log: week 1
    - writing: Personal fitness goal
    - skill: Fitness check: the mile
    - practice: Fitness log: week 2

    Soccer skills
    We practise passing, dribbling and teamwork in small-sided games.
    - skill: Passing skill check
    - practice: Fitness log: week 3
    - skill: Dribbling skill check
    - writing: Teamwork reflection

    Volleyball
    We learn to bump, set and serve, and play cooperative games.
    - skill: Serving skill check
    - practice: Fitness log: week 5
    - skill: Bump and set check
    - practice: Fitness log: week 6

    Healthy habits
    We learn how sleep, food and exercise work together.
    - practice: Healthy habits tracker
    - project: Healthy habits poster
    - practice: Sleep log
    - quiz: Quiz: healthy habits

    Dance and rhythm
    We learn line dances from around the world and make our own routine.
    - skill: Group dance routine
    - practice: Fitness log: week 9
    - project: Dances around the world
    - practice: Fitness log: week 10
    """,
    events="""
    2 4 9 6 | Field day | School field
    Wear sneakers and bring a water bottle. Family volunteers welcome.
    """,
)

MUSIC = catalogue(
    """
    Rhythm and notation
    We read and clap rhythms with quarter, eighth and half notes.
    - skill: Rhythm reading check
    - practice: Practice log: week 1
    - quiz: Rhythm dictation quiz
    - practice: Practice log: week 2

    Singing in parts
    We learn to hold our part in a round and a two-part song.
    - skill: Part-singing check
    - practice: Practice log: week 3
    - quiz: Quiz: dynamics and tempo
    - practice: Practice log: week 4

    Music around the world
    We listen to music from many cultures and compare instruments and rhythms.
    - writing: Listening journal
    - project: Instrument research
    - practice: Practice log: week 5
    - quiz: Quiz: instrument families

    Concert rehearsals
    We rehearse the pieces for our concert and practise performing together.
    - skill: Concert piece playing check
    - practice: Practice log: week 7
    - quiz: Concert etiquette quiz
    - practice: Practice log: week 8

    Composing a melody
    We compose a short melody and write it down.
    - project: Melody composition
    - practice: Practice log: week 9
    - writing: Composition reflection
    - practice: Practice log: week 10
    """,
    events="""
    2 2 18 2 | Winter concert | School gym
    Students arrive at 6:15 in dark clothes. Doors open at 6:30.
    """,
)

_HOMEROOMS = {
    "KG": HOMEROOM_EARLY,
    "01": HOMEROOM_EARLY,
    "02": HOMEROOM_PRIMARY,
    "03": HOMEROOM_PRIMARY,
    "04": HOMEROOM_4,
    "05": HOMEROOM_5,
}
_BY_GRADE = {
    ("Mathematics", "06"): MATH_6,
    ("Mathematics", "07"): MATH_7,
    ("Mathematics", "08"): MATH_8,
    ("Science", "06"): SCIENCE_6,
    ("Science", "07"): SCIENCE_7,
    ("Science", "08"): SCIENCE_8,
}
_BY_SUBJECT = {
    "English Language Arts": ELA,
    "Social Studies": SOCIAL_STUDIES,
    "Art": ART,
    "Physical Education": PHYSICAL_EDUCATION,
    "Music": MUSIC,
}


def catalogue_for(subject: str, grade: str) -> Catalogue:
    """The catalogue a class of ``subject`` (its ``subjects``) in OneRoster ``grade`` follows."""
    if subject == "Homeroom":
        return _HOMEROOMS.get(grade, HOMEROOM_PRIMARY)
    return _BY_GRADE.get((subject, grade)) or _BY_SUBJECT.get(subject, SOCIAL_STUDIES)
