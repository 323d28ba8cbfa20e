"""Running opgave (opgave.cli.operations, opgave.service.priority): the job worker on the
command line, the job list and cancelling; background work at a lower CPU priority with the
work under the lock at the normal one."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web_fixtures import GOOD_PLANS, LoadedTemplates

from opgave.cli import app
from opgave.service import Service, jobs, priority, users


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> LoadedTemplates:
    return LoadedTemplates(tmp_path_factory.mktemp("operations"))


def cli(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", url, *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def queue_plan_list(url: str) -> str:
    svc = Service(url, concurrent=True)
    admin = users.find_user(svc, "rijk")
    assert admin is not None
    registry = jobs.JobRegistry(svc, run=False)
    work = jobs.plan_list_work(svc, admin, "plannen.csv", GOOD_PLANS.encode(),
                               captured=_date(), partial=True)  # fmt: skip
    job = registry.submit("plans", work.params, admin.name, work)
    registry.close()
    svc.engine.dispose()
    return job.id


def _date() -> object:
    import datetime as dt

    return dt.date(2025, 1, 1)


def test_jobs_work_once_does_the_queued_jobs(templates: LoadedTemplates) -> None:
    url = templates.sqlite()
    job_id = queue_plan_list(url)
    code, out, _err = cli(url, "jobs", "list", "--json")
    assert code == 0 and [(j["id"], j["status"]) for j in json.loads(out)] == [(job_id, "queued")]
    code, out, err = cli(url, "jobs", "work", "--once")
    assert code == 0, err
    assert "1 job(s) done" in out
    listed = json.loads(cli(url, "jobs", "list", "--json")[1])
    assert listed[0]["status"] == "done" and listed[0]["progress"] == 1.0
    assert len(json.loads(cli(url, "plans", "--json")[1])) == 3


def test_jobs_cancel_on_the_command_line(templates: LoadedTemplates) -> None:
    url = templates.sqlite()
    job_id = queue_plan_list(url)
    code, _out, err = cli(url, "jobs", "cancel", job_id, "--by", "zr")
    assert code == 1 and "may cancel only its own jobs" in err
    code, out, err = cli(url, "jobs", "cancel", job_id, "--by", "rijk")
    assert code == 0 and "cancelled" in out, err
    code, _out, err = cli(url, "jobs", "cancel", job_id, "--by", "rijk")
    assert code == 1 and "has ended already" in err
    assert cli(url, "jobs", "work", "--once")[1].strip() == "0 job(s) done."


def test_jobs_backup_and_restore_in_dutch(
    templates: LoadedTemplates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_words import BOX, english_leaks, raw_codes

    from opgave.cli import console

    monkeypatch.setattr(console._made(), "_width", 400)

    def dutch(url: str, *args: str) -> str:
        code, out, err = cli(url, "--lang", "nl", *args)
        assert code == 0, err
        text = BOX.sub(" ", out)
        assert english_leaks(text) == [] and raw_codes(text) == [], args
        return text

    url = templates.sqlite()
    first, second = queue_plan_list(url), queue_plan_list(url)
    out = dutch(url, "jobs", "list")
    assert "taken" in out and "soort" in out and "fase" in out
    assert out.count("planlijst") == 2 and out.count("in de wachtrij") == 2  # kind, status
    assert dutch(url, "jobs", "cancel", second, "--by", "rijk").strip() == (
        f"Taak {second}: geannuleerd."
    )
    assert dutch(url, "jobs", "work", "--once").strip() == "1 taak afgerond."
    listed = dutch(url, "jobs", "list")
    assert re.search(rf"{first}\s+planlijst\s+klaar\s+100%\s+klaar", listed)
    assert re.search(rf"{second}\s+planlijst\s+geannuleerd\s+0%\s+geannuleerd", listed)
    out = dutch(url, "backup", str(tmp_path / "kopie.db"))
    assert re.fullmatch(
        r"Back-up gemaakt in .*kopie\.db: [\d.]+ bytes, schemaversie \S+ \(.+\)\.\n", out
    )
    assert "." in out.split(": ")[1].split(" bytes")[0]  # 1.234.567 bytes
    assert "(online back-up van SQLite)" in out
    out = dutch(f"sqlite:///{tmp_path / 'nieuw.db'}", "restore", str(tmp_path / "kopie.db"))
    assert re.fullmatch(r".*nieuw\.db hersteld uit .*kopie\.db \(schemaversie \S+\)\.\n", out)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no thread priorities here")
def test_lowered_threads_hand_urgent_work_to_a_normal_one() -> None:
    priority.prepare()
    seen: dict[str, int] = {}

    def background() -> None:
        tid = threading.get_native_id
        seen["before"] = os.getpriority(os.PRIO_PROCESS, tid())
        assert priority.lower_this_thread(5)
        seen["lowered"] = os.getpriority(os.PRIO_PROCESS, tid())
        seen["urgent"] = priority.urgent(lambda: os.getpriority(os.PRIO_PROCESS, tid()))

    worker = threading.Thread(target=background)
    worker.start()
    worker.join()
    assert seen["lowered"] == min(19, seen["before"] + 5)
    assert seen["urgent"] < seen["lowered"]  # under the lock: the priority it had
    assert priority.urgent(lambda: 42) == 42  # a thread that was not lowered: right here


def test_serve_starts_its_job_worker_with_a_lower_priority(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from opgave.cli import serve

    started: list[list[str]] = []

    class Started:
        def __init__(self, command: list[str], **_kwargs: object) -> None:
            started.append(command)

    monkeypatch.setattr(serve.subprocess, "Popen", Started)
    serve.job_worker("sqlite:///x.db")
    command = started[0]
    assert command[-6:-2] == ["jobs", "work", "--nice", str(serve.JOB_NICE)]
    assert command[-2:] == ["--with-parent", str(os.getpid())]
