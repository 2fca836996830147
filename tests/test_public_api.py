"""The public API: a small ``__all__`` whose names all exist, and the paths the README calls public."""

from __future__ import annotations

import importlib

import pytest

import synth


def test_every_public_name_resolves() -> None:
    for name in synth.__all__:
        assert getattr(synth, name) is not None, name


def test_public_names() -> None:
    assert set(synth.__all__) == {
        "SCHEMA_VERSION",
        "DatabaseError",
        "Finding",
        "GenerationError",
        "ImportAbortedError",
        "InputError",
        "OutputError",
        "Post",
        "Summary",
        "SynthError",
        "UsageError",
        "__version__",
        "check_index",
        "content_hash",
        "generate",
        "generate_post",
        "json_schema",
        "queries",
        "validate_file",
        "validate_post",
        "write_corpus",
    }


def test_generate_stays_the_function_after_the_stage_is_imported() -> None:
    importlib.import_module("synth.generation.assemble")
    assert callable(synth.generate)
    assert next(synth.generate(1, seed=3)).id == "alphanode-000000"


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ("synth.render", "synth.pages", ["render_text", "render_html", "render_markdown", "write_site"]),
        ("synth.strategies", "synth.testing.strategies", ["posts", "invalid_posts", "invalid_corpora"]),
        ("synth.pytest_plugin", "synth.testing.pytest_plugin", ["synth_seed", "synth_posts", "pytest_addoption"]),
    ],
)
def test_first_homes_re_export_the_same_objects(old: str, new: str, names: list[str]) -> None:
    before, after = importlib.import_module(old), importlib.import_module(new)
    for name in names:
        assert getattr(before, name) is getattr(after, name), name


def test_queries_stays_the_function_after_the_stage_is_imported() -> None:
    importlib.import_module("synth.workload.workload")
    assert callable(synth.queries)
    assert synth.queries.__module__ == "synth.workload.workload"


@pytest.mark.parametrize("package", ["synth.validate", "synth.load", "synth.pages", "synth.workload"])
def test_stage_packages_export_what_their_modules_define(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        assert not isinstance(value, type(module)), f"{package}.{name} is a module, not the API name"
