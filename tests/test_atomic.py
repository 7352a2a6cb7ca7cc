"""Atomic outputs: whole or nothing, normal permissions, nothing left behind."""
from __future__ import annotations

import os

import pytest

from gaixl.atomic import atomic_path, write_bytes, write_text


def test_write_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "报告.json"
    write_text(target, "旧")
    write_text(target, "新内容\n")
    assert target.read_bytes() == "新内容\n".encode("utf-8")
    assert sorted(p.name for p in target.parent.iterdir()) == ["报告.json"]


def test_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        p = write_bytes(tmp_path / "a.bin", b"x")
        with atomic_path(tmp_path / "b.bin") as tmp:
            tmp.write_bytes(b"y")
    finally:
        os.umask(old)
    assert (p.stat().st_mode & 0o777) == 0o644
    assert ((tmp_path / "b.bin").stat().st_mode & 0o777) == 0o644


def test_a_failure_keeps_the_old_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "out.txt"
    write_text(target, "good")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash while writing")
    with pytest.raises(TypeError):
        write_bytes(target, "not bytes")       # type: ignore[arg-type]
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_stale_temp_name_is_skipped(tmp_path, monkeypatch):
    import gaixl.atomic as A

    monkeypatch.setattr(A, "_counter", iter([7, 7, 8]))
    (tmp_path / f".x.txt.{os.getpid()}.7.part").write_text("stale")   # as if left by a crashed run
    write_text(tmp_path / "x.txt", "ok")
    assert (tmp_path / "x.txt").read_text() == "ok"
    assert (tmp_path / f".x.txt.{os.getpid()}.7.part").read_text() == "stale"


def test_temps_of_dead_writers_are_removed_others_kept(tmp_path):
    import subprocess
    import sys

    from gaixl.atomic import remove_stale_temps

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = tmp_path / f".state.json.{dead_pid}.3.part"
        mine = tmp_path / f".state.json.{os.getpid()}.4.part"
        alive = tmp_path / f".state.json.{live.pid}.5.part"
        other = tmp_path / ".notes.part"
        for p in (stale, mine, alive, other):
            p.write_text("half")
        assert remove_stale_temps(tmp_path) == 1
        assert not stale.exists() and mine.exists() and alive.exists() and other.exists()
        assert remove_stale_temps(tmp_path / "missing") == 0
    finally:
        live.kill()
        live.wait()


def _unwritable_cases(tmp_path):
    """(target, why): a missing parent that cannot be made, a file where a folder should be, a
    read-only folder (when not root: root writes anyway), a folder where the file should be."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    cases = [(__import__("pathlib").Path("/proc/nope/out.json"), "missing"),
             (blocker / "out.json", "not-a-folder"),
             (tmp_path, "is-a-folder")]
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        cases.append((ro / "out.json", "read-only"))
    return cases


@pytest.mark.parametrize("writer", ["text", "bytes", "path"])
def test_an_unwritable_output_is_one_bilingual_output_error(tmp_path, writer):
    from gaixl.errors import OutputError

    for target, why in _unwritable_cases(tmp_path):
        with pytest.raises(OutputError) as ei:
            if writer == "text":
                write_text(target, "数据")
            elif writer == "bytes":
                write_bytes(target, b"x")
            else:
                with atomic_path(target) as tmp:
                    tmp.write_bytes(b"x")
        e = ei.value
        assert e.where == str(target), why
        assert e.message.startswith("cannot write the output file: "), (why, e.message)
        assert e.message_zh.startswith("无法写入输出文件："), (why, e.message_zh)
        assert len(e.message_zh) > len("无法写入输出文件："), why          # and the reason
        assert "\n" not in e.text("zh") and "\n" not in e.text("en")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


def test_ensure_dir_names_the_folder(tmp_path):
    from gaixl.atomic import ensure_dir
    from gaixl.errors import OutputError

    assert ensure_dir(tmp_path / "a" / "b").is_dir()
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError) as ei:
        ensure_dir(tmp_path / "f" / "sub")
    assert ei.value.where == str(tmp_path / "f" / "sub")
    assert ei.value.text("zh").endswith("无法写入输出文件夹：路径中有一级不是文件夹")


def test_every_writer_goes_through_atomic():
    """No module writes a file itself: Path.write_text/write_bytes, open(…, "w"), shutil.copy/move
    are only in gaixl.atomic (and in the places listed here: LibreOffice's private profile and
    staged inputs in a temporary folder, the SMTP lock file, and copies into the temporary file of
    atomic_path in engine.convert and the PDF renderer)."""
    import ast
    from pathlib import Path

    import gaixl

    # peakmem.py: /proc/self/clear_refs (resets the process's peak memory for the bench), not a file
    allowed = {("workbook/engine.py", "write_text"), ("workbook/engine.py", "copyfile"),
               ("document/pdf.py", "copyfile"), ("mail/smtp.py", "open"), ("peakmem.py", "open")}
    pkg = Path(gaixl.__file__).parent
    found = []
    for p in sorted(pkg.rglob("*.py")):
        rel = p.relative_to(pkg).as_posix()
        if rel == "atomic.py":
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            base = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            writes = (name in ("write_text", "write_bytes") and base != "atomic"
                      and not (isinstance(f, ast.Name)))                    # atomic's own, imported by name
            writes |= name in ("copyfile", "copy", "copy2", "move") and base == "shutil"
            if name == "open" and isinstance(f, ast.Name):
                modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
                writes |= any(set(str(m)) & set("wax+") for m in modes)
            if writes and (rel, name) not in allowed:
                found.append(f"{rel}:{node.lineno} {name}")
    assert not found, "writers outside gaixl.atomic: " + ", ".join(found)


def test_a_folder_is_replaced_whole_or_not_at_all(tmp_path):
    """atomic_dir: the new content appears in one step; what `keep` names of the old folder is
    carried over; an error leaves the old folder as it was and no staging folder; the staging
    folder of a killed run (its pid gone) is removed by the next run, a live run's is not."""
    import subprocess
    import sys

    from gaixl.atomic import atomic_dir

    target = tmp_path / "out"
    with atomic_dir(target) as stage:
        (stage / "a.txt").write_text("one")
        assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and (target / "a.txt").read_text() == "one"
    (target / ".log").write_text("kept")
    with pytest.raises(RuntimeError):
        with atomic_dir(target, keep=lambda n: n.startswith(".")) as stage:
            (stage / "a.txt").write_text("two")
            raise RuntimeError("half-way")
    assert sorted(p.name for p in target.iterdir()) == [".log", "a.txt"] and (target / "a.txt").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        for name in (f".out.{dead}.0.staging", f".out.{live.pid}.1.staging", f".out.x.{dead}.2.staging"):
            (tmp_path / name).mkdir()
        with atomic_dir(target, keep=lambda n: n.startswith(".")) as stage:
            (stage / "b.txt").write_text("three")
        assert sorted(p.name for p in target.iterdir()) == [".log", "b.txt"]
        assert {p.name for p in tmp_path.iterdir()} == {f".out.x.{dead}.2.staging", f".out.{live.pid}.1.staging", "out"}
    finally:
        live.kill()
        live.wait()
