"""Whatever bytes a bundle holds, reading and checking it gives a report, never an exception."""

from __future__ import annotations

import zipfile
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from village.rostering.tests.builders import HEADERS, ROWS, base_files, manifest, write_zip
from village.rostering.validate import Validation, validate_bundle

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = list(HEADERS)
IDS = st.sampled_from(["d1", "s1", "t1", "c1", "k1", "ada", "rivera", "jordan", "nope", ""])


def run(files: dict[str, str | bytes]) -> Validation:
    with TemporaryDirectory() as folder:
        validation = validate_bundle(write_zip(Path(folder) / "r.zip", files))
    assert isinstance(validation.report.ok, bool)
    assert str(validation.report)
    return validation


def mangle(header: str, draw_case: list[bool], drop: int) -> str:
    names = header.split(",")
    names = [n.upper() if flip else n for n, flip in zip(names, draw_case, strict=False)]
    return ",".join(names[: len(names) - drop])


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    flips=st.lists(st.booleans(), max_size=20),
    drop=st.integers(0, 5),
    extra=st.text(max_size=30),
)
def test_mangled_headers_give_a_report(kind: str, flips: list[bool], drop: int, extra: str) -> None:
    files = base_files()
    header = mangle(HEADERS[kind], flips, drop) + "," + extra
    files[f"{kind}.csv"] = header + "\n" + "\n".join(ROWS[kind]) + "\n"
    run(files)


@FUZZ
@given(kind=st.sampled_from([*KINDS, "manifest"]), content=st.binary(max_size=400))
def test_random_bytes_give_a_report(kind: str, content: bytes) -> None:
    files = base_files()
    files[f"{kind}.csv"] = HEADERS.get(kind, "propertyName,value").encode() + b"\n" + content
    run(files)


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    encoding=st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "utf-8-sig"]),
    text=st.text(max_size=80),
)
def test_other_encodings_give_a_report(kind: str, encoding: str, text: str) -> None:
    files = base_files()
    body = HEADERS[kind] + "\n" + "\n".join(ROWS[kind]) + "\n" + text + "\n"
    files[f"{kind}.csv"] = body.encode(encoding, errors="replace")
    run(files)


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    cells=st.lists(
        st.one_of(
            st.text(alphabet=',"\r\n ab\t', max_size=12),
            st.text(max_size=12),
            st.sampled_from(
                ["TRUE", "Scheduled", "tobedeleted", "1/05/2023", "2024-09-01", "\x00"]
            ),
        ),
        max_size=25,
    ),
    quote=st.booleans(),
    mode=st.sampled_from(["bulk", "delta"]),
)
def test_random_quoting_and_values_give_a_report(
    kind: str, cells: list[str], quote: bool, mode: str
) -> None:
    files = base_files(mode)
    line = ",".join(f'"{cell}"' if quote else cell for cell in cells)
    files[f"{kind}.csv"] = HEADERS[kind] + "\n" + line + "\n"
    run(files)


@settings(max_examples=20, deadline=None)
@given(size=st.integers(100_000, 1_100_000), quoted=st.booleans())
def test_huge_fields_give_a_report(size: int, quoted: bool) -> None:
    files = base_files()
    value = "x" * size
    files["users.csv"] = HEADERS["users"] + "\n" + (f'"{value}' if quoted else value) + "\n"
    validation = run(files)
    assert not validation.ok


@FUZZ
@given(
    refs=st.lists(st.tuples(IDS, IDS, IDS, IDS), min_size=1, max_size=8),
    mode=st.sampled_from(["bulk", "delta"]),
    known=st.sets(IDS, max_size=4),
)
def test_random_references_give_a_report(
    refs: list[tuple[str, str, str, str]], mode: str, known: set[str]
) -> None:
    status = ",active,2024-10-01T00:00:00Z" if mode == "delta" else ",,"
    users = [f'{a}{status},true,{b},student,{a},,A,B,,,,,,"{c},{d}",,' for a, b, c, d in refs]
    enrollments = [f"e{i}{status},{b},{c},{a},student,,," for i, (a, b, c, _d) in enumerate(refs)]
    files: dict[str, str | bytes] = {
        "manifest.csv": manifest({"users": mode, "enrollments": mode, "orgs": mode}),
        "orgs.csv": HEADERS["orgs"] + "\n" + f"s1{status},School,school,,{refs[0][3]}\n",
        "users.csv": HEADERS["users"] + "\n" + "\n".join(users) + "\n",
        "enrollments.csv": HEADERS["enrollments"] + "\n" + "\n".join(enrollments) + "\n",
    }
    with TemporaryDirectory() as folder:
        path = write_zip(Path(folder) / "r.zip", files)
        validation = validate_bundle(path, known_ids=lambda kind: known)
    for pair in validation.roster.guardians:
        assert pair.guardian_id != pair.student_id


@FUZZ
@given(
    names=st.lists(
        # Names zipfile can write: it cuts them at NUL and cannot encode lone surrogates.
        st.text(
            st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]),
            min_size=1,
            max_size=20,
        ),
        min_size=1,
        max_size=5,
        unique=True,
    )
)
def test_random_member_names_give_a_report(names: list[str]) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "r.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name in names:
                archive.writestr(name, "propertyName,value\n")
        validation = validate_bundle(path)
    assert isinstance(validation.ok, bool)
