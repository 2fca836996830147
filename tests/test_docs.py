"""The reference in docs/ documents what exists: every command and option, every rule code, every link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from synth.cli import app
from synth.validate.rules import RULES
from tests.conftest import ROOT

DOCS = ROOT / "docs"
README = ROOT / "README.md"
CLI_DOC = DOCS / "cli.md"
RULES_DOC = DOCS / "rules.md"
MAX_README_LINES = 200

_HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_INLINE_CODE = re.compile(r"`[^`]*`")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of the lines outside fenced code blocks."""
    kept, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            kept.append((number, line))
    return kept


def headings(text: str) -> list[tuple[int, str]]:
    """(level, title) of every Markdown heading outside code blocks."""
    found = []
    for _, line in prose_lines(text):
        match = _HEADING.match(line)
        if match:
            found.append((len(match.group(1)), match.group(2)))
    return found


def section(text: str, title: str, level: int = 2) -> str | None:
    """The lines under the heading ``title`` of ``level``, up to the next heading of that level or above."""
    lines = text.splitlines()
    body: list[str] | None = None
    fenced = False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match and len(match.group(1)) <= level:
            if body is not None:
                break
            if len(match.group(1)) == level and match.group(2) == title:
                body = []
                continue
        if body is not None:
            body.append(line)
    return None if body is None else "\n".join(body)


def slug(title: str, seen: dict[str, int]) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered."""
    base = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
    count = seen.get(base, 0)
    seen[base] = count + 1
    return base if count == 0 else f"{base}-{count}"


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    return {slug(title, seen) for _, title in headings(text)}


def broken_links(path: Path, text: str) -> list[str]:
    """Relative links of a Markdown file that point to no file, or to no heading of a Markdown file."""
    broken = []
    for number, line in prose_lines(text):
        for target in _LINK.findall(_INLINE_CODE.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # http:, https:, mailto: ...
            file_part, _, anchor = target.partition("#")
            resolved = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.name}:{number}: {target}"
            if not resolved.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and resolved.suffix == ".md" and resolved.is_file():
                own = text if resolved == path else resolved.read_text(encoding="utf-8")
                if anchor not in anchors(own):
                    broken.append(f"{where} (no such heading)")
    return broken


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


# -- commands and options ------------------------------------------------------------------------


def _click_group() -> Any:
    return typer.main.get_command(app)


def command_names() -> list[str]:
    return [command.name or command.callback.__name__ for command in app.registered_commands]  # type: ignore[union-attr]


def option_flags(command: Any) -> list[str]:
    """Every flag the command's --help shows: its options' names and the help flags (``--help``, ``-h``)."""
    help_names = _click_group().context_settings.get("help_option_names")  # every command inherits the root's
    ctx = command.context_class(command, help_option_names=help_names)
    flags = []
    for param in command.get_params(ctx):
        if param.param_type_name == "option":
            flags.extend([*param.opts, *param.secondary_opts])
    return flags


def table_flags(body: str) -> set[str]:
    """The flags named in the first cell of the section's table rows."""
    flags = set()
    for line in body.splitlines():
        if line.startswith("| "):
            first = line.split("|")[1]
            flags.update(code for code in re.findall(r"`([^`]+)`", first) if code.startswith("-"))
    return flags


CLI_TEXT = CLI_DOC.read_text(encoding="utf-8")


def test_the_command_names_are_the_ones_synth_help_lists() -> None:
    assert set(command_names()) == set(_click_group().commands)
    assert {"import", "corpus", "generate", "validate"} <= set(command_names())


@pytest.mark.parametrize("name", command_names())
def test_every_command_and_option_is_in_the_cli_reference(name: str) -> None:
    body = section(CLI_TEXT, f"synth {name}")
    assert body is not None, f"docs/cli.md has no '## synth {name}' section"
    synopsis = re.search(rf"^```\n(synth {name}\b.*?)```$", body, re.MULTILINE | re.DOTALL)
    assert synopsis, f"the '## synth {name}' section has no synopsis block"
    documented = table_flags(body)
    flags = option_flags(_click_group().commands[name])
    missing = [flag for flag in flags if flag not in documented]
    assert not missing, f"synth {name}: options missing from its table in docs/cli.md: {missing}"
    stale = sorted(documented - set(flags))
    assert not stale, f"synth {name}: docs/cli.md documents options the command does not have: {stale}"


def test_the_root_options_are_in_the_cli_reference() -> None:
    body = section(CLI_TEXT, "synth")
    assert body is not None
    assert table_flags(body) == set(option_flags(_click_group()))


def test_the_cli_reference_documents_no_removed_command() -> None:
    documented = {title.removeprefix("synth ") for level, title in headings(CLI_TEXT) if level == 2}
    assert documented == {*command_names(), "synth"}


def test_a_missing_option_is_caught() -> None:
    body = section(CLI_TEXT, "synth search")
    assert body is not None
    flags = option_flags(_click_group().commands["search"])
    assert "--limit" in flags and "--limit" in table_flags(body)
    without = "\n".join(line for line in body.splitlines() if "`--limit`" not in line)
    assert "--limit" not in table_flags(without)
    assert section(CLI_TEXT, "synth no-such-command") is None


# -- rules ---------------------------------------------------------------------------------------

RULES_TEXT = RULES_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_code_is_in_the_rules_table(code: str) -> None:
    rule = RULES[code]
    assert f"| {code} | {rule.name} | {rule.summary} |" in RULES_TEXT.splitlines(), code


def test_the_rules_table_has_no_other_codes() -> None:
    rows = re.findall(r"^\| ([A-Z]\d{3}) \|", RULES_TEXT, re.MULTILINE)
    assert rows == list(RULES), "docs/rules.md lists codes RULES does not have, twice, or out of order"


# -- links and size ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_to_existing_files(path: Path) -> None:
    assert broken_links(path, path.read_text(encoding="utf-8")) == []


def repeated_headings(text: str) -> list[str]:
    """The headings of a Markdown text that stand more than once (outside code blocks)."""
    seen: dict[str, int] = {}
    fenced = False
    for line in text.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#"):
            seen[line] = seen.get(line, 0) + 1
    return [heading for heading, count in seen.items() if count > 1]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_section_stands_twice(path: Path) -> None:
    """A merge once left docs/queries.md with three of its sections twice."""
    assert repeated_headings(path.read_text(encoding="utf-8")) == []


def test_a_repeated_section_is_caught() -> None:
    text = "# T\n\n## A\n\ntext\n\n```\n# a comment\n# a comment\n```\n\n## B\n\n## A\n"
    assert repeated_headings(text) == ["## A"]


def test_a_broken_link_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## A `code` heading (yes)\n", encoding="utf-8")
    text = (
        "# Page\n\n[ok](other.md#a-code-heading-yes) [self](#page) [web](https://example.invalid/x)\n"
        "[gone](missing.md) [no anchor](other.md#nowhere)\n\n```\n[in code](also-missing.md)\n```\n"
    )
    page.write_text(text, encoding="utf-8")
    found = broken_links(page, text)
    assert len(found) == 2, found
    assert "missing.md (no such file)" in found[0] and "other.md#nowhere (no such heading)" in found[1]


def test_every_docs_file_is_linked_from_the_docs_index() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for path in sorted(DOCS.glob("*.md")):
        if path.name != "README.md":
            assert f"]({path.name})" in index, path.name


def test_the_readme_stays_short() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; the reference belongs in docs/"
