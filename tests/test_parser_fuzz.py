"""Whatever is typed, `Session.run` answers: it never raises, always returns a
Result with an int status and a list of one-line strings, and never reports
an internal error (status 70).

The sessions here may not write files (`save` is refused), so fuzzing never
litters the working directory; `save` itself is tested with a temporary folder.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peersnap.core.characters import forbidden
from peersnap.core.commands import REGISTRY, Result
from peersnap.core.language import MAX_LINE, LineError, cluster_prefix, parse_line, plain_words, shell_words
from peersnap.core.session import SESSION_COMMANDS, Session

COMMANDS = sorted([*REGISTRY, *SESSION_COMMANDS])
WORDS = [
    # devices, filesets, subcommands
    "fs1", "fs2", "/dev/fs1", "sw", "ro", "iw", "lu", "swnsd", "nosuch", "root",
    "create", "delete", "status", "getstate", "stop", "start", "flushPending", "resync",
    "enable", "disable", "show", "link", "up", "down", "advance", "step", "settle", "load",
    # options
    "-j", "-s", "-J", "-p", "-L", "--afm", "--wait", "--rpo", "--comment", "--uid", "--size",
    "-r", "-f", "-rf", "-p", "-l", "-a", "-la", "-n", "--", "-", "-x", "--bogus",
    # values
    "afmMode=sw", "afmMode=iw", "afmMode=lu", "afmMode=", "afmTarget=gpfs:///gpfs/fs1/sw",
    "afmTarget=nfs://home1/gpfs/fs1/sw", "afmAsyncDelay=1", "afmAsyncDelay=99999999999999999999",
    "0", "1", "-1", "30s", "5m", "366d", "367d", "1e9", "99999999999999999999", "10,000,000", "3",
    # paths
    "/gpfs/fs1", "/gpfs/fs1/sw", "/gpfs/fs1/sw/README", "/gpfs/fs1/sw/data", "/gpfs/fs1/sw/new",
    "/gpfs/fs1/sw/.snapshots", "/gpfs/fs1/.snapshots", "/gpfs/fs1/sw/data/report.txt", "/gpfs/fs1/ro/x",
    "/gpfs/fs1/..", "/etc/passwd", "../../x", "sw/README", "/gpfs/fs1/sw/a/b/c", "/gpfs/fs1/new",
    "", ".", "..", "*", "~",
    # shell-ish punctuation
    ">", ">>", "'", '"', "\\", "#", "@home", "@cache", "@mars", "|", ";", "&&", "$HOME", "`x`",
]
TOKEN = st.one_of(
    st.sampled_from(COMMANDS + WORDS),
    st.text(min_size=1, max_size=8),
    st.sampled_from(["é", "\u200b", "\udcff", "\ufeff", "\x00", "\x1b", "\x7f", "\x85", "\t", "\r"]),
)
LINE_FROM_TOKENS = st.builds(
    lambda prefix, command, words, sep: prefix + sep.join([command, *words]),
    st.sampled_from(["", "", "", "@home ", "@cache ", "  ", "@x "]),
    st.sampled_from(COMMANDS),
    st.lists(TOKEN, max_size=8),
    st.sampled_from([" ", " ", "  ", "\t"]),
)
BINARYISH = st.binary(max_size=64).map(lambda b: b.decode("latin-1"))
UTF8ISH = st.binary(max_size=64).map(lambda b: b.decode("utf-8", "surrogateescape"))
ANY_LINE = st.one_of(st.text(max_size=80), BINARYISH, UTF8ISH, LINE_FROM_TOKENS, LINE_FROM_TOKENS)

def fresh() -> Session:
    return Session(allow_files=False)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(result) -> None:
    assert isinstance(result, Result)
    assert type(result.rc) is int
    assert result.rc != 70, result.lines
    assert isinstance(result.lines, list)
    assert all(isinstance(line, str) for line in result.lines)
    assert all("\n" not in line for line in result.lines), result.lines


@FUZZ
@given(line=ANY_LINE)
def test_any_line_gets_an_answer_never_an_exception(line):
    check(fresh().run(line))


@FUZZ
@given(line=LINE_FROM_TOKENS)
def test_a_failed_line_says_why(line):
    result = fresh().run(line)
    check(result)
    if result.rc != 0:
        assert result.lines, "a failure must say something"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(ANY_LINE, min_size=1, max_size=25))
def test_any_sequence_of_lines_keeps_the_session_usable(lines):
    session = fresh()
    for line in lines:
        check(session.run(line))
    # whatever happened, the world still answers sensibly
    check(session.run("sim status"))
    check(session.run("sim settle"))
    assert session.run("mmlssnapshot fs1").rc == 0
    assert session.run("sim link up").rc == 0


@settings(max_examples=20, deadline=None)
@given(chunk=st.text(min_size=1, max_size=8), extra=st.integers(1, 900))
def test_an_overlong_line_is_refused(chunk, extra):
    line = (chunk * (4097 // len(chunk) + 1)) + "x" * extra
    result = fresh().run(line)
    assert result.rc == 2
    assert result.lines == [f"peersnap: line too long ({len(line)} characters; at most 4096)"]


def test_a_lone_surrogate_is_not_an_internal_error():
    session = fresh()
    for line in ("echo \udcff", "echo \udcff > /gpfs/fs1/sw/s", "cat /gpfs/fs1/sw/s", "ls /gpfs/fs1/sw/\udcff",
                 "mkdir /gpfs/fs1/sw/\ud800", "ls -l /gpfs/fs1/sw"):
        check(session.run(line))


def test_save_after_a_line_with_a_lone_surrogate_answers_instead_of_raising(tmp_path):
    session = Session()
    session.run("echo \udcff")
    result = session.run(f"save {tmp_path}/session.toml")  # must not raise
    check(result)


def test_save_writes_the_session_and_says_so(tmp_path):
    session = Session()
    session.run("echo x > /gpfs/fs1/sw/a")
    result = session.run(f"save {tmp_path}/session.toml")
    assert result.rc == 0 and result.lines == [f"Saved the session (1 command) to {tmp_path}/session.toml."]
    assert (tmp_path / "session.toml").read_text(encoding="utf-8").startswith("peersnap_session = 1")


def test_a_session_without_files_refuses_save(tmp_path):
    result = fresh().run(f"save {tmp_path}/session.toml")
    assert result.rc == 1 and result.lines == ["save: saving to files is turned off in this session"]
    assert not (tmp_path / "session.toml").exists()


# -- the parse fast path: plain words skip shlex, and must split exactly as it does ------------
def _shlex_or_error(text: str) -> list[str] | str:
    try:
        return shell_words(text)
    except LineError as exc:
        return f"error: {exc}"


def _reference_parse(line: str):
    """parse_line as it was before the fast path: shlex for every line, the
    forbidden characters checked one by one."""
    if len(line) > MAX_LINE or any(
        (ord(ch) < 32 and ch != "\t") or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000 or ch in "\ufffe\uffff"
        for ch in line
    ):
        return "refused"
    prefix = cluster_prefix(line.strip())
    if prefix.cluster is None:
        return "unknown cluster"
    words = _shlex_or_error(prefix.rest)
    return (prefix.cluster, words)


def _fast_parse(line: str):
    try:
        parsed = parse_line(line)
    except LineError as exc:
        text = str(exc)
        if "syntax error" in text:
            return (cluster_prefix(line.strip()).cluster, f"error: {exc}")
        return "unknown cluster" if "unknown cluster" in text else "refused"
    if parsed is None:
        prefix = cluster_prefix(line.strip())
        return (prefix.cluster, [])
    return (parsed.cluster, parsed.argv)


def _corpus_lines() -> list[str]:
    """A fixed corpus: every command and word of the fuzz vocabulary alone, in
    pairs and in seeded random lines, the suite's script lines, and punctuation."""
    import random

    from test_change_key import random_script

    rng = random.Random(16)
    vocab = COMMANDS + WORDS + ["é", "\u200b", "\xa0", "\u2028", "\x85", "\t", "a>b", "a>>b", ">>>", "x>", ">y"]
    lines = list(vocab)
    lines += [f"{a} {b}" for a in vocab[:60] for b in vocab[::7]]
    for _ in range(3000):
        words = [rng.choice(vocab) for _ in range(rng.randrange(1, 7))]
        lines.append(rng.choice(["", "@home ", "@cache ", "  ", "@x "]) + rng.choice([" ", "\t", "  "]).join(words))
    for seed in range(8):
        lines += random_script(seed, 200)
    return lines


def test_the_fast_path_splits_the_fixed_corpus_exactly_as_shlex():
    corpus = _corpus_lines()
    fast_taken = 0
    for line in corpus:
        assert _fast_parse(line) == _reference_parse(line), repr(line)
        text = cluster_prefix(line.strip()).rest
        words = plain_words(text) if not forbidden(line) else None
        if words is not None:
            fast_taken += 1
            assert words == _shlex_or_error(text), repr(line)
    assert fast_taken > len(corpus) // 3  # the fast path is the common one, not a corner


@FUZZ
@given(line=ANY_LINE)
def test_the_fast_path_splits_any_line_exactly_as_shlex(line):
    assert _fast_parse(line) == _reference_parse(line)
    text = cluster_prefix(line.strip()).rest
    if not forbidden(line):
        words = plain_words(text)
        assert words is None or words == _shlex_or_error(text)


def test_the_fast_path_leaves_every_glued_redirection_to_shlex_and_takes_the_spaced_ones():
    """One search tells a line the fast path may split: a `>` beside a character of its word that is not
    a `>` (before or after it, at either end of the line) needs shlex, which splits it off."""
    glued = ["echo a>b", "echo a >b", "echo a> b", "echo a>>b", "echo a >>b", "echo a>> b", ">x", "x>", "a>>>b",
             "echo\t>f", "echo a >\tb>", "echo >>>", "echo a > b", "echo a >> b", "> >>", "echo ->"]
    for text in glued:
        words = plain_words(text)
        assert words is None or words == _shlex_or_error(text), text
        spaced = all(set(word) == {">"} or ">" not in word for word in text.split())
        assert (words is not None) == spaced, text
