"""Opening outputs: atomic replacement, never through a link, one-line errors; joining paths."""

from __future__ import annotations

import gzip
import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from synth.errors import OutputError
from synth.io import join_path, open_output


def _permissions_bind() -> bool:
    """Whether file permissions stop this process (not for root, unless its DAC override is dropped)."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o555)
        try:
            (Path(folder) / "probe").touch()
        except PermissionError:
            return True
        finally:
            Path(folder).chmod(0o755)
    return False


# root ignores them; to run those tests as root: setpriv --inh-caps=-dac_override --bounding-set=-dac_override
PERMISSIONS_IGNORED = not _permissions_bind()


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "posts.jsonl"
    target.write_bytes(b"previous\n")
    with pytest.raises(ValueError, match="boom"), open_output(str(target)) as stream:
        stream.write(b"partial")
        raise ValueError("boom")
    assert target.read_bytes() == b"previous\n"
    assert _entries(tmp_path) == ["posts.jsonl"]


def test_an_interrupted_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "posts.jsonl.gz"
    with pytest.raises(KeyboardInterrupt), open_output(str(target)) as stream:
        stream.write(b"partial")
        raise KeyboardInterrupt
    assert _entries(tmp_path) == []


def test_the_file_appears_whole_only_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "posts.jsonl.gz"
    with open_output(str(target)) as stream:
        stream.write(b"one\n")
        assert not target.exists()  # written beside it, under a hidden temporary name
        [temp] = _entries(tmp_path)
        assert temp.startswith(".posts.jsonl.gz.") and temp.endswith(".tmp")
        stream.write(b"two\n")
    assert gzip.decompress(target.read_bytes()) == b"one\ntwo\n"
    assert _entries(tmp_path) == ["posts.jsonl.gz"]


_WRITER = textwrap.dedent(
    """
    import sys
    from synth.io import open_output
    with open_output(sys.argv[1]) as stream:
        print("writing", flush=True)
        while True:
            stream.write(b'{"id": "alphanode-000000"}\\n' * 1000)
    """
)


@pytest.mark.parametrize("previous", [None, b"previous\n"])
def test_kill_9_mid_write_leaves_no_file_at_the_target_or_the_previous_one(
    tmp_path: Path, previous: bytes | None
) -> None:
    target = tmp_path / "posts.jsonl"
    if previous is not None:
        target.write_bytes(previous)
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.readline() == b"writing\n"
    time.sleep(0.3)
    child.send_signal(signal.SIGKILL)
    child.wait()
    if previous is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == previous
    [temp] = [name for name in _entries(tmp_path) if name != "posts.jsonl"]  # only kill -9 leaves it
    assert temp.startswith(".posts.jsonl.") and temp.endswith(".tmp")


def test_a_replaced_file_keeps_its_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "private.jsonl"
    target.write_bytes(b"old")
    target.chmod(0o600)
    with open_output(str(target)) as stream:
        stream.write(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_hard_link_is_never_written_through(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.txt"
    other.write_bytes(b"keep me")
    target = tmp_path / "posts.jsonl"
    os.link(other, target)
    with open_output(str(target)) as stream:
        stream.write(b"new")
    assert (target.read_bytes(), other.read_bytes()) == (b"new", b"keep me")


def test_a_symbolic_link_is_followed_or_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_bytes(b"old")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    with open_output(str(link)) as stream:  # the user's link: the file it names is replaced, the link stays
        stream.write(b"followed")
    assert link.is_symlink() and real.read_bytes() == b"followed"
    with open_output(str(link), follow_links=False) as stream:  # the entry itself is replaced
        stream.write(b"replaced")
    assert not link.is_symlink() and link.read_bytes() == b"replaced" and real.read_bytes() == b"followed"


def test_special_files_are_written_directly() -> None:
    with open_output("/dev/null") as stream:
        stream.write(b"nothing")
    with pytest.raises(OutputError) as info, open_output("/dev/full") as stream:
        stream.write(b"x" * 100_000)
    assert str(info.value) == (
        "cannot write /dev/full: No space left on device. To resolve this error, check the free disk space"
    )


def test_a_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info, open_output(str(tmp_path)):
        pytest.fail("the block must not run")
    assert (
        str(info.value) == f"cannot write {tmp_path}: it is a folder. To resolve this error, name a file, not a folder"
    )


def test_a_place_nobody_may_write_is_one_error() -> None:
    with pytest.raises(OutputError) as info, open_output("/proc/synth-posts.jsonl"):
        pytest.fail("the block must not run")
    assert str(info.value).startswith("cannot write /proc/synth-posts.jsonl: ")
    assert str(info.value).endswith("To resolve this error, check the folder exists and is writable")


@pytest.mark.skipif(PERMISSIONS_IGNORED, reason="permissions do not bind this process (root)")
def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "locked.jsonl"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="Permission denied"), open_output(str(target)):
        pytest.fail("the block must not run")
    assert target.read_bytes() == b"old"


@pytest.mark.skipif(PERMISSIONS_IGNORED, reason="permissions do not bind this process (root)")
def test_a_writable_file_in_a_locked_folder_is_still_written(tmp_path: Path) -> None:
    target = tmp_path / "locked" / "posts.jsonl"
    target.parent.mkdir()
    target.write_bytes(b"old")
    target.parent.chmod(0o555)
    try:
        with open_output(str(target)) as stream:
            stream.write(b"new")
    finally:
        target.parent.chmod(0o755)
    assert target.read_bytes() == b"new"


def test_pending_outputs_are_removed_for_this_process_only(tmp_path: Path) -> None:
    from synth.io import remove_pending_outputs  # noqa: PLC0415 - the other tests run on any version

    with (
        pytest.raises(OutputError, match="No such file or directory"),
        open_output(str(tmp_path / "a.jsonl")) as stream,
    ):
        stream.write(b"x")
        pid = os.fork()
        if pid == 0:  # a forked worker cleans up only what it writes itself
            remove_pending_outputs()
            os._exit(0)
        os.waitpid(pid, 0)
        assert len(_entries(tmp_path)) == 1
        remove_pending_outputs()
        assert _entries(tmp_path) == []
    assert _entries(tmp_path) == []


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("corpus", "corpus/manifest.json"),
        ("corpus/", "corpus/manifest.json"),
        ("corpus//", "corpus/manifest.json"),
        ("memory://corpus//", "memory://corpus/manifest.json"),
        ("s3://bucket/corpus/", "s3://bucket/corpus/manifest.json"),
        ("memory://", "memory://manifest.json"),
    ],
)
def test_join_path_puts_one_slash_between(folder: str, expected: str) -> None:
    assert join_path(folder, "manifest.json") == expected
