"""Guided lessons: every bundled lesson completes with its own suggested commands,
and broken lesson files are refused with a message naming the key."""

import pytest
from peersnap.core.lessons import CHECKS, LessonError, LessonRun, bundled, load_lesson, parse_lesson
from peersnap.core.scenario import load
from peersnap.core.session import Session

LESSONS = sorted(bundled())


def test_at_least_four_lessons_are_bundled():
    assert {"first-psnap", "why-it-waits", "disconnected", "rules"} <= set(LESSONS)


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_completes_step_by_step_with_its_suggested_commands(name):
    lesson = load_lesson(name)
    session = Session(load(lesson.scenario))
    run = LessonRun(lesson, session)
    for number, step in enumerate(lesson.steps, start=1):
        assert step.command, f"step {number} suggests no command"
        assert run.check() == 0, f"step {number} completed before its command ran"
        session.run(step.command)
        assert run.check() == 1, f"step {number} ({step.command!r}) did not complete"
    assert run.done
    assert run.summary()[0].startswith("Lesson complete")


def test_steps_do_not_complete_on_unrelated_commands():
    run = LessonRun(load_lesson("first-psnap"), Session())
    run.session.run("mmpsnap fs1 create -j ro")
    run.session.run("ls /gpfs/fs1/sw")
    assert run.check() == 0 and run.index == 0


def test_hints_are_counted_once_per_step_and_summary_reports_usage():
    run = LessonRun(load_lesson("rules"), Session())
    assert "6027-2183" in run.hint()
    run.hint()
    run.session.run("mmpsnap fs1 create -j ro")
    run.check()
    run.hint()
    summary = run.summary()
    assert "Steps completed: 1 of 9" in summary
    assert "Commands used: 1" in summary
    assert "Hints taken: 2" in summary


def test_undo_reopens_the_steps_its_commands_completed_and_keeps_the_counts():
    """Progress across undo lives in the run: undoing the psnap (and the listing after it)
    opens step 1 again; the commands and hints counted so far still count."""
    run = LessonRun(load_lesson("first-psnap"), Session())
    session = run.session
    session.run("mmpsnap fs1 create -j sw")
    run.check()
    run.hint()
    session.run("mmlssnapshot fs1 -j sw")
    run.check()
    assert run.index == 2
    session.run("undo")
    assert run.index == 0
    assert run.commands_used == 3 and run.hints_taken == 1
    assert run.check() == 0  # the undone psnap's events are gone with it
    session.run("mmpsnap fs1 create -j sw")
    assert run.check() == 1 and run.index == 1


def test_undo_of_a_command_after_the_last_completed_step_reopens_nothing():
    run = LessonRun(load_lesson("first-psnap"), Session())
    session = run.session
    session.run("mmpsnap fs1 create -j sw")
    run.check()
    session.run("echo x > /gpfs/fs1/sw/x")  # changes the world, completes nothing
    session.run("undo")
    assert run.index == 1 and run.check() == 0


def test_restart_counts_nothing_and_starts_at_the_first_step():
    run = LessonRun(load_lesson("first-psnap"), Session())
    run.session.run("mmpsnap fs1 create -j sw")
    run.check()
    run.hint()
    run.session.reset()
    run.restart()
    assert (run.index, run.commands_used, run.hints_taken) == (0, 0, 0)
    assert run.tally() == (("Steps completed", "0 of 4"), ("Commands used", "0"), ("Hints taken", "0"))


def test_a_disconnected_psnap_step_needs_the_psnap_taken_while_disconnected():
    run = LessonRun(load_lesson("disconnected"), Session())
    session = run.session
    for command in ("sim link down", "sim advance 61s", "echo x > /gpfs/fs1/sw/x"):
        session.run(command)
    run.check()
    assert run.index == 3
    session.run("sim link up")
    session.run("mmpsnap fs1 create -j sw")  # connected again: not what the step asks
    assert run.check() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "t"}, "at least one [[step]]"),
        ({"step": [{"text": "x", "check": {"kind": "nope"}}]}, "check.kind"),
        ({"step": [{"text": "x", "check": {"kind": "state", "fileset": "sw"}}]}, "missing key 'step[0].check.state'"),
        ({"step": [{"text": "x", "check": {"kind": "queue_length", "fileset": "sw", "min": "3"}}]}, "expected a int"),
        ({"step": [{"text": "x", "check": {"kind": "command", "pattern": "("}}]}, "not a regular expression"),
        ({"step": [{"text": "x", "colour": 1, "check": {"kind": "link", "up": True}}]}, "unknown key 'step[0].colour'"),
        ({"bogus": 1, "step": []}, "unknown key 'bogus'"),
    ],
)
def test_broken_lessons_name_the_key(data, message):
    with pytest.raises(LessonError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_lesson(data, "lesson.toml", "broken")


def test_every_check_kind_is_used_by_some_bundled_lesson_or_documented():
    used = {step.check["kind"] for name in LESSONS for step in load_lesson(name).steps}
    assert used <= set(CHECKS)
    assert {"psnap_created", "psnap_completed", "psnap_queued_behind", "refused", "link", "state"} <= used


def test_a_lesson_can_start_the_dashboard_paused():
    assert load_lesson("why-it-waits").paused is True
    assert load_lesson("rules").paused is False
    with pytest.raises(LessonError, match="key 'paused'"):
        parse_lesson({"paused": "yes", "step": [{"text": "x", "check": {"kind": "link", "up": True}}]}, "l.toml", "l")
