"""Reading compressed input: a stream cut short, empty, or followed by other bytes is an error, never a shorter file."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from synth.cli import app
from synth.errors import InputError
from synth.generation.writer import write_corpus
from synth.io import open_input

runner = CliRunner()
HINT = "To resolve this error, check the file is complete and compressed as its name says"


def _read_all(path: Path) -> bytes:
    with open_input(str(path)) as stream:
        return stream.read()


def _zstd(data: bytes, **kw: object) -> bytes:
    return zstandard.ZstdCompressor(**kw).compress(data)  # type: ignore[arg-type]


def _zstd_streamed(data: bytes) -> bytes:
    """As ``open_output`` writes it: a frame without a content size, in several blocks."""
    buffer = io.BytesIO()
    with zstandard.ZstdCompressor(level=3).stream_writer(buffer, closefd=False) as writer:
        for k in range(0, len(data), 5000):
            writer.write(data[k : k + 5000])
            writer.flush()  # one block per write: many blocks per frame
    return buffer.getvalue()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A 100-post corpus as synth writes it, plain and compressed both ways."""
    folder = tmp_path_factory.mktemp("corpus")
    files = {}
    for name in ("ok.jsonl", "ok.jsonl.gz", "ok.jsonl.zst"):
        write_corpus(str(folder / name), count=100, seed=3)
        files[name] = (folder / name).read_bytes()
    return files


# ---- the example: head -c 20000 ----


@pytest.mark.parametrize("name", ["ok.jsonl.zst", "ok.jsonl.gz"])
@pytest.mark.parametrize("command", ["validate", "import", "render"])
def test_a_truncated_file_is_exit_2_naming_the_byte(
    tmp_path: Path, corpus: dict[str, bytes], name: str, command: str
) -> None:
    cut = tmp_path / name.replace("ok", "t")
    cut.write_bytes(corpus[name][:20000])
    args = {
        "validate": ["validate", str(cut)],
        "import": ["import", str(cut), "--db", str(tmp_path / "x.db")],
        "render": ["render", str(cut), "--output", str(tmp_path / "pages") + "/"],
    }[command]
    result = runner.invoke(app, args)
    kind, unit = ("zstd", "frame") if name.endswith(".zst") else ("gzip", "member")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"synth: error: cannot read {cut}: the {kind} data ends early, at byte 20,000, "
        f"inside the {unit} that begins at byte 0. {HINT}\n"
    )


@pytest.mark.parametrize("name", ["ok.jsonl.zst", "ok.jsonl.gz"])
def test_every_cut_of_a_compressed_file_is_an_error(tmp_path: Path, corpus: dict[str, bytes], name: str) -> None:
    whole = corpus[name]
    target = tmp_path / name
    for size in [*range(0, len(whole), max(len(whole) // 97, 1)), len(whole) - 1]:
        target.write_bytes(whole[:size])
        with pytest.raises(InputError, match=f"ends early, at byte {size:,}[, ]"):
            _read_all(target)
    target.write_bytes(whole)
    assert _read_all(target) == corpus["ok.jsonl"]


# ---- frames and members: concatenated files are read whole; anything else after them is an error ----


@pytest.mark.parametrize("suffix", [".zst", ".gz"])
def test_concatenated_files_are_read_one_after_another(tmp_path: Path, corpus: dict[str, bytes], suffix: str) -> None:
    name = "ok.jsonl" + suffix
    target = tmp_path / name
    target.write_bytes(corpus[name] * 3)
    assert _read_all(target) == corpus["ok.jsonl"] * 3
    result = runner.invoke(app, ["validate", str(target), "--ignore", "R"])
    assert (result.exit_code, result.stdout) == (0, "checked 300 records in 1 file: all valid\n")


@pytest.mark.parametrize("junk", [b"junk\n", b"\x00" * 40, b"\x28\xb5\x2f", b"\x1f"])
@pytest.mark.parametrize("suffix", [".zst", ".gz"])
def test_bytes_after_the_compressed_data_are_an_error(
    tmp_path: Path, corpus: dict[str, bytes], suffix: str, junk: bytes
) -> None:
    name = "ok.jsonl" + suffix
    valid = corpus[name]
    target = tmp_path / name
    target.write_bytes(valid + junk)
    kind, unit = ("zstd", "frame") if suffix == ".zst" else ("gzip", "member")
    expected = f"byte {len(valid):,} starts no {kind} {unit}"
    if junk == {".zst": b"\x28\xb5\x2f", ".gz": b"\x1f"}[suffix]:  # the start of a magic number: a frame cut off
        expected = (
            f"ends early, at byte {len(valid) + len(junk):,}, inside the {unit} that begins at byte {len(valid):,}"
        )
    with pytest.raises(InputError, match=expected):
        _read_all(target)
    result = runner.invoke(app, ["validate", str(target)])
    assert result.exit_code == 2 and result.stderr.startswith(f"synth: error: cannot read {target}: ")


@pytest.mark.parametrize("suffix", [".zst", ".gz"])
def test_an_empty_compressed_file_is_an_error(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / ("empty.jsonl" + suffix)
    target.write_bytes(b"")
    with pytest.raises(InputError, match="ends early, at byte 0, before the first"):
        _read_all(target)


def test_an_empty_corpus_is_one_empty_frame_and_reads_as_nothing(tmp_path: Path) -> None:
    target = tmp_path / "none.jsonl.zst"
    write_corpus(str(target), count=0)
    assert target.stat().st_size > 0 and _read_all(target) == b""


def test_skippable_frames_are_passed_over(tmp_path: Path) -> None:
    skippable = (0x184D2A53).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"12345"
    target = tmp_path / "s.jsonl.zst"
    target.write_bytes(skippable + _zstd(b'{"a": 1}\n') + skippable)
    assert _read_all(target) == b'{"a": 1}\n'


def test_corrupt_gzip_data_names_the_member(tmp_path: Path, corpus: dict[str, bytes]) -> None:
    data = bytearray(corpus["ok.jsonl.gz"])
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    target = tmp_path / "c.jsonl.gz"
    target.write_bytes(bytes(data))
    with pytest.raises(InputError, match="corrupt gzip data in the member that begins at byte 0"):
        _read_all(target)


def test_stdin_is_read_as_it_is() -> None:
    result = runner.invoke(app, ["validate", "-", "--ignore", "R"], input=b"")
    assert (result.exit_code, result.stdout) == (0, "checked 0 records in 1 file: all valid\n")


# ---- the frame boundaries the reader sees are the ones the compressor made ----

FRAMES = st.lists(
    st.tuples(
        st.binary(max_size=3000) | st.sampled_from([b"a" * 300_000, b"post\n" * 20_000]),
        st.sampled_from(["one-shot", "checksum", "no-size", "streamed"]),
    ),
    min_size=1,
    max_size=4,
)


def _frame(data: bytes, kind: str) -> bytes:
    if kind == "streamed":
        return _zstd_streamed(data)
    return _zstd(data, write_checksum=kind == "checksum", write_content_size=kind != "no-size")


@settings(max_examples=40, deadline=None)
@given(frames=FRAMES, cuts=st.lists(st.integers(0, 10**6), max_size=12))
def test_a_zstd_stream_reads_whole_exactly_at_frame_ends(
    tmp_path_factory: pytest.TempPathFactory, frames: list[tuple[bytes, str]], cuts: list[int]
) -> None:
    encoded = [_frame(data, kind) for data, kind in frames]
    whole = b"".join(encoded)
    ends = {sum(len(e) for e in encoded[: k + 1]): b"".join(d for d, _ in frames[: k + 1]) for k in range(len(encoded))}
    target = tmp_path_factory.mktemp("z") / "f.zst"
    for cut in {len(whole), *(c % (len(whole) + 1) for c in cuts), *ends}:
        target.write_bytes(whole[:cut])
        if cut in ends:
            assert _read_all(target) == ends[cut]
        else:
            with pytest.raises(InputError, match=f"ends early, at byte {cut:,}, "):
                _read_all(target)


@settings(max_examples=30, deadline=None)
@given(members=st.lists(st.binary(max_size=5000), min_size=1, max_size=3), cuts=st.lists(st.integers(0, 10**5)))
def test_a_gzip_stream_reads_whole_exactly_at_member_ends(
    tmp_path_factory: pytest.TempPathFactory, members: list[bytes], cuts: list[int]
) -> None:
    encoded = [gzip.compress(m, mtime=0) for m in members]
    whole = b"".join(encoded)
    ends = {sum(len(e) for e in encoded[: k + 1]): b"".join(members[: k + 1]) for k in range(len(encoded))}
    target = tmp_path_factory.mktemp("g") / "f.gz"
    for cut in {len(whole), *(c % (len(whole) + 1) for c in cuts), *ends}:
        target.write_bytes(whole[:cut])
        if cut in ends:
            assert _read_all(target) == ends[cut]
        else:
            with pytest.raises(InputError, match=f"at byte {cut:,}, "):
                _read_all(target)
