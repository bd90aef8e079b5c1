"""What the demo school's homerooms from kindergarten to grade 4 study this term, in the text form
``village.demo.classwork.subjects`` describes (grade 5 is a persona class: ``catalogue``).
"""

from __future__ import annotations

from village.demo.classwork.catalogue import catalogue

HOMEROOM_EARLY = catalogue(
    """
    Letters and sounds
    We match letters to their sounds and blend sounds into short words.
    - practice: Letter sound hunt at home
    - quiz: Sound blending check

    Counting to 100
    We count forward and back, by ones and tens, and find patterns on the hundred chart.
    - practice: Hundred chart puzzle
    - project: Counting collections

    Our five senses
    We use our senses to describe objects and sort them by how they look, feel and sound.
    - lab: Senses walk: what did you notice?
    - project: My senses book

    Adding within 10
    We put groups together with counters and drawings and write addition sentences.
    - practice: Adding with counters
    - quiz: Addition check-in

    Seasons and weather
    We watch the weather every day and talk about how the seasons change.
    - lab: Weather chart
    - project: Dress for the weather drawing
    """,
    """
    Sharing stories
    We listen to stories, retell them in order and talk about our favourite parts.
    - reading: Retell a story at home
    - writing: Draw and write: my favourite part

    Sight words
    We learn to read and write our first sight words in sentences.
    - practice: Sight word practice
    - quiz: Sight word check

    Shapes around us
    We name flat and solid shapes and find them in our classroom and at home.
    - practice: Shape hunt at home
    - project: Shape picture

    Writing sentences
    We write sentences with a capital letter, finger spaces and a full stop.
    - writing: My weekend sentences
    - reading: Reading log

    Plants and seeds
    We plant bean seeds, watch them grow and learn what plants need.
    - lab: Bean plant diary
    - practice: Parts of a plant
    """,
    events="""
    1 1 9 3 | Class picture day | Library
    Smiles ready! Order forms went home in folders.

    -3 4 9 4 | Pumpkin patch trip | Green Acres Farm
    Wear boots; we will be walking in the field.
    """,
)

HOMEROOM_PRIMARY = catalogue(
    """
    Place value to 1,000
    We read, write and compare three-digit numbers with hundreds, tens and ones.
    - practice: Place value practice
    - quiz: Quiz: comparing numbers

    Adding and subtracting with regrouping
    We add and subtract three-digit numbers and explain when we regroup.
    - practice: Regrouping practice
    - quiz: Quiz: adding and subtracting

    Multiplication as equal groups
    We use arrays and equal groups to understand multiplication.
    - project: Arrays around the house
    - practice: Multiplication facts practice

    Measuring length
    We measure objects in inches and centimetres and estimate before we measure.
    - practice: Measuring at home
    - quiz: Quiz: measuring length

    Telling time and money
    We tell time to the nearest five minutes and count coins and bills.
    - project: Class store: counting money
    - practice: Telling time practice
    """,
    """
    Animal life cycles
    We compare the life cycles of butterflies, frogs and chickens.
    - project: Life cycle wheel
    - lab: Butterfly observation journal

    Reading for meaning
    We ask questions before, during and after reading and retell the main idea.
    - reading: Reading log
    - writing: Main idea and details

    Personal narratives
    We write true stories about our lives with a beginning, middle and end.
    - writing: Personal narrative draft
    - reading: Reading log

    Maps and communities
    We read maps, use a compass rose and learn how communities work together.
    - project: Map of my neighbourhood
    - writing: Community helpers interview

    Rocks and soil
    We sort rocks by their properties and look at what soil is made of.
    - lab: Rock sorting lab
    - reading: Reading log
    """,
    events="""
    1 3 9 4 | Field trip: the town museum | Riverside Town Museum
    Permission slips are due on Monday.
    """,
)

HOMEROOM_4 = catalogue(
    """
    Multi-digit multiplication
    We multiply up to four digits by one digit using area models and partial products.
    - practice: Partial products practice
    - quiz: Quiz: multi-digit multiplication

    Long division
    We divide with remainders and decide what the remainder means in a word problem.
    - practice: Division with remainders
    - quiz: Quiz: division

    Equivalent fractions
    We use models and multiplication to find equivalent fractions and compare fractions.
    - practice: Fraction strips practice
    - project: Fraction pizza project

    Angles and lines
    We measure angles with a protractor and find parallel and perpendicular lines.
    - practice: Angle hunt
    - quiz: Quiz: angles

    Decimals and money
    We connect tenths and hundredths to fractions and to money.
    - practice: Decimals practice
    - project: Class store budget
    """,
    """
    Energy and circuits
    We build simple circuits and test which materials conduct electricity.
    - lab: Circuit lab
    - practice: Conductors and insulators practice

    Opinion writing
    We write opinion pieces with reasons and examples that support them.
    - writing: Opinion piece
    - reading: Reading log

    Our state's history
    We learn who lived in our state first and how it changed over time.
    - project: Timeline project
    - writing: Reading response: early settlers

    Earth's changing surface
    We model weathering and erosion with sand, water and wind.
    - lab: Erosion tray lab
    - reading: Reading log

    Poetry
    We read and write poems and notice rhythm, rhyme and imagery.
    - writing: Poetry collection
    - skill: Poem recital
    - reading: Poem of the week
    """,
    events="""
    2 2 9 5 | Field trip: Riverside Nature Center | Riverside Nature Center
    Bring water and a hat. Lunch is provided.
    """,
)
