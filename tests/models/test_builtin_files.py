"""The six built-in models are model files, read by the same loader as a user's: loaded, they
are the models the code table held, attribute for attribute, so every request they build is the
one built before (the request and body tests, and the sandbox's vendor snippets, hold too)."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from pixazo_cli.models import files
from pixazo_cli.models.registry import BUILTIN_DIR
from pixazo_cli.models.request import build_request
from pixazo_cli.models.spec import FLAGS
from pixazo_cli.models.table import MODELS
from tests.models import legacy_table

ROOT = Path(__file__).resolve().parents[2]


def test_the_builtin_models_are_the_six_files_in_their_order() -> None:
    assert list(MODELS) == list(legacy_table.MODELS)
    assert sorted(p.stem for p in BUILTIN_DIR.glob("*.toml")) == sorted(legacy_table.MODELS)


@pytest.mark.parametrize("name", list(legacy_table.MODELS))
def test_each_builtin_file_loads_into_the_model_the_code_table_held(name: str) -> None:
    old, new = legacy_table.MODELS[name], MODELS[name]
    for attribute in dataclasses.fields(old):
        if attribute.name == "fields" or not attribute.init:  # by_flag: derived from fields
            continue
        assert getattr(new, attribute.name) == getattr(old, attribute.name), attribute.name
    assert len(new.fields) == len(old.fields)
    for before, after in zip(old.fields, new.fields, strict=True):
        for attribute in dataclasses.fields(before):
            got, want = getattr(after, attribute.name), getattr(before, attribute.name)
            assert (got, type(got)) == (want, type(want)), f"{name}.{before.flag}.{attribute.name}"
    assert list(new.by_flag) == list(old.by_flag)
    assert new.flags == ()  # the built-ins take the shared vocabulary only
    assert new.source == str(BUILTIN_DIR / f"{name}.toml")


def test_the_shared_flags_are_the_code_tables_with_their_help() -> None:
    assert [(f.name, f.help, f.metavar, f.off_switch) for f in FLAGS.values()] == [
        (f.name, f.help, f.metavar, f.off_switch) for f in legacy_table.FLAGS.values()]


@pytest.mark.parametrize("name", list(legacy_table.MODELS))
def test_each_builtin_builds_the_same_body_as_before_for_every_flag(name: str) -> None:
    """One request per flag the model takes (a value inside its range), compared byte for
    byte with the body the old table's model gives through the same builder."""
    old, new = legacy_table.MODELS[name], MODELS[name]
    for spec in new.fields:
        value = _a_value(spec)
        built = build_request(new, "a fox", {spec.flag: value})
        legacy = build_request(_as_current(old), "a fox", {spec.flag: value})
        assert (built.path, built.body, built.headers) == (legacy.path, legacy.body,
                                                           legacy.headers)


def _a_value(spec: object) -> object:
    kind, low, choices, check = (getattr(spec, k) for k in ("kind", "low", "choices", "check"))
    if choices:
        return choices[-1]
    if kind is bool:
        return False
    if kind in (int, float):
        return kind(low if low is not None else 3) + kind(1)
    return {"ratio": "16:9", "url": "https://example.com/a.png",
            "webhook": "https://example.com/hook"}.get(check, "text")


def _as_current(old: object) -> object:
    """The old table's model, in the dataclasses the builder takes now."""
    from pixazo_cli.models.spec import Field, Model

    values = {f.name: getattr(old, f.name) for f in dataclasses.fields(old) if f.init}
    values["fields"] = tuple(Field(**{f.name: getattr(spec, f.name)
                                      for f in dataclasses.fields(spec)})
                             for spec in values["fields"])
    return Model(**values)


def test_pip_install_ships_the_builtin_model_files() -> None:
    """pyproject's package-data covers every file the built-in models are read from."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["pixazo_cli.models"]
    shipped = {p for pattern in patterns for p in (ROOT / "pixazo_cli" / "models").glob(pattern)}
    assert set(BUILTIN_DIR.iterdir()) - {BUILTIN_DIR / "__pycache__"} <= shipped


def test_the_builtin_files_go_through_the_users_loader() -> None:
    for name in legacy_table.MODELS:
        path = BUILTIN_DIR / f"{name}.toml"
        assert files.read_model_file(path) == MODELS[name]
