"""The incremental engine answers exactly what a cold run answers (issue 17).

Every fixture, and a generated tree, is checked once with a store, then edited at random
(seeded by the case's name, so a failure repeats) and checked again from the store; after
each edit the answer must equal a cold run's on the same files: findings, calls with their
chains and roles, mentions. A test also shows that the store is used at all (an edit evaluates
fewer roots), and that a corrupt or foreign store is ignored.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from driftlint import engine, incremental, pipeline
from driftlint.cache import codec, rows
from driftlint.config.load import load_config
from driftlint.model import Result
from tests.conftest import FIXTURES

CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("."))
TEXT = (".pp", ".erb", ".epp", ".yaml", ".sh", ".py", ".j2", ".service", ".init", "")
EDITS = 3


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("EXPECTED.json"))
    return target


def _run(root: Path, cache: Path | None) -> Result:
    config, errors = load_config(root)
    return engine.run(root, config, errors, jobs=1, cache_dir=cache)


def _answer(result: Result) -> tuple[object, ...]:
    return (
        result.findings,
        sorted(map(repr, result.calls)),
        sorted(map(repr, result.mentions)),
        result.calls_checked,
    )


def _files(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*")):
        plain = path.is_file() and not path.is_symlink() and ".git" not in path.parts
        if plain and path.suffix in TEXT and path.stat().st_size < 200_000:
            out.append(path)
    return out


def _comment(path: Path) -> str:
    if path.suffix in (".erb", ".epp"):
        return "<%# an edit %>"
    return "# an edit"


def edit(root: Path, rng: random.Random) -> str:
    """One random edit of the kinds real changes make; says what it did."""
    files = _files(root)
    if not files:
        return "nothing left to edit"
    path = rng.choice(files)
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        return f"left binary {path.name}"
    lines = text.splitlines(keepends=True)
    kind = rng.choice(("comment", "top", "word", "option", "delete", "class", "hiera"))
    where = path.relative_to(root)
    if kind == "comment" and path.suffix not in (".py",) and lines:
        at = rng.randrange(1, len(lines) + 1)
        lines.insert(at, _comment(path) + "\n")
        path.write_text("".join(lines))
    elif kind == "top":
        path.write_text("\n" + text)
    elif kind == "word":
        words = [w for w in set(text.split()) if w.isidentifier() and len(w) > 3]
        if not words:
            return f"no word in {where}"
        word = rng.choice(sorted(words))
        path.write_text(text.replace(word, word + "x", 1))
        return f"renamed {word} in {where}"
    elif kind == "option":
        options = sorted({w for w in text.split() if w.startswith("-") and len(w) > 1})
        if not options:
            return f"no option in {where}"
        option = rng.choice(options)
        path.write_text(text.replace(option, option + "-edited", 1))
        return f"changed {option} in {where}"
    elif kind == "delete":
        path.unlink()
    elif kind == "class":
        manifests = [p for p in files if p.suffix == ".pp" and "/manifests/" in p.as_posix()]
        if not manifests:
            return "no manifests"
        folder = rng.choice(manifests).parent
        (folder / "added_by_an_edit.pp").write_text(
            f"class {folder.parent.name}::added_by_an_edit {{\n"
            "  exec { 'x': command => '/usr/local/bin/nothing --at-all' }\n}\n"
        )
        return f"added a class in {folder.relative_to(root)}"
    elif kind == "hiera":
        data = [p for p in files if p.suffix == ".yaml" and "EXPECTED" not in p.name]
        if not data:
            return "no data"
        path = rng.choice(data)
        where = path.relative_to(root)
        with path.open("a") as handle:
            handle.write("\nadded::by::an_edit: '--edited'\n")
    return f"{kind} {where}"


def check_identity(root: Path, cache: Path, rng: random.Random) -> None:
    _run(root, cache)  # fills the store
    for _ in range(EDITS):
        what = edit(root, rng)
        warm = _run(root, cache)
        cold = _run(root, None)
        assert _answer(warm) == _answer(cold), what


@pytest.mark.parametrize("name", CASES)
def test_incremental_equals_cold_after_random_edits(name: str, tmp_path: Path) -> None:
    root = _copy(FIXTURES / name, tmp_path / "tree")
    check_identity(root, tmp_path / "cache", random.Random(zlib.crc32(name.encode())))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_equals_cold_on_a_generated_tree(seed: int, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    root = tmp_path / "tree"
    generate.generate(root, scale=0.05, seed=seed, bad=3)  # 10 modules, 30 roles
    check_identity(root, tmp_path / "cache", random.Random(seed))


def test_an_edit_evaluates_fewer_roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store is used: after an edit inside one role's class, that role is evaluated again
    and not the others; an edit after every definition evaluates nothing."""
    root = _copy(FIXTURES / "roles-class-declaration", tmp_path / "tree")
    cache = tmp_path / "cache"
    evaluated: list[object] = []
    real = pipeline._evaluate_roots

    def counting(roots, *args, **kwargs):  # type: ignore[no-untyped-def]
        evaluated.extend(r[0] for r in roots)
        return real(roots, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_evaluate_roots", counting)
    first = _run(root, cache)
    everything = list(evaluated)
    assert len(everything) >= 2, "the case needs several roots"
    role = next(p for p in sorted(root.rglob("*.pp")) if "/role/" in p.as_posix())
    first_line, rest = role.read_text().split("\n", 1)
    before = {k: v for k, v in _rows(cache) if "/" in k}  # each root's row
    role.write_text(f"{first_line}\n  # an edit inside the class\n{rest}")
    evaluated.clear()
    second = _run(root, cache)
    assert 0 < len(evaluated) < len(everything)
    # Only the rows of the roots evaluated again are written; the others are kept as they are.
    after = {k: v for k, v in _rows(cache) if "/" in k}
    assert len(after.keys() - before.keys()) <= len(evaluated)
    assert len(after.keys() & before.keys()) >= len(before) - len(evaluated) > 0
    assert second.findings == first.findings
    role.write_text(role.read_text() + "\n# a comment after the class\n")
    evaluated.clear()
    assert _run(root, cache).findings == first.findings
    assert evaluated == []


def _rows(cache: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(cache / rows.FILE) as db:
        return list(db.execute("SELECT key, value FROM rows WHERE kind = 'roots' ORDER BY key"))


def _set_row(cache: Path, key: str, value: bytes) -> None:
    with sqlite3.connect(cache / rows.FILE) as db:
        db.execute("UPDATE rows SET value = ? WHERE kind = 'roots' AND key = ?", (value, key))


@pytest.mark.parametrize("damage", ["corrupt", "foreign", "not-a-database"])
def test_a_damaged_store_is_ignored(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(FIXTURES / "jobloop-2014-incident", tmp_path / "tree")
    cache = tmp_path / "cache"
    first = _run(root, cache)
    stored = _rows(cache)
    assert len(stored) >= 2, "the run stored its roots and their list"
    for key, value in stored:
        if damage == "corrupt":
            _set_row(cache, key, value[: len(value) // 2])
        elif damage == "foreign":  # an entry of something else under the same key
            _set_row(cache, key, codec.dumps({"not": "a state"}))
    if damage == "not-a-database":
        for path in cache.glob(rows.FILE + "*"):
            path.write_bytes(b"not SQLite" * 100)
    manifest = next(p for p in sorted(root.rglob("*.pp")))
    manifest.write_text(manifest.read_text() + "\n# an edit\n")
    again = _run(root, cache)
    assert _answer(again) == _answer(_run(root, None))
    assert again.findings == first.findings


def test_the_store_key_is_the_same_in_every_process() -> None:
    """A CI job that restores the store runs in another process: string hashing differs
    there, and the key of the store must not."""
    code = (
        "import sys; from pathlib import Path; import tempfile\n"
        "from driftlint import engine, incremental\n"
        "from driftlint.config.load import load_config\n"
        "made = []\n"
        "init = incremental.Store.__init__\n"
        "def spy(self, *a, **k):\n"
        "    init(self, *a, **k); made.append(self.key)\n"
        "incremental.Store.__init__ = spy\n"
        "root = Path(sys.argv[1]); config, errors = load_config(root)\n"
        "engine.run(root, config, errors, jobs=1, cache_dir=Path(tempfile.mkdtemp()))\n"
        "print(made[0])\n"
    )
    keys = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-c", code, str(FIXTURES / "clean-wrapper-script-runs-the-rest")],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        keys.add(done.stdout.strip())
    assert len(keys) == 1 and all(keys)


def test_a_store_from_other_code_under_the_same_key_is_ignored(tmp_path: Path) -> None:
    """Records stored by a FrozenReads with a field fewer (code edited while a run stored) do
    not load: such a state is not used, and the run's answer is a cold run's."""
    from driftlint import reads

    root = _copy(FIXTURES / "roles-hiera-levels", tmp_path / "tree")
    cache = tmp_path / "cache"
    first = _run(root, cache)
    store = rows.Rows(cache, "roots")
    (key, value), *_ = [(k, v) for k, v in _rows(cache) if "/" in k]  # a root's row
    assert isinstance(store.get(key, incremental.RootOut), incremental.RootOut)
    entry = json.loads(value)
    tag = 16 + entry["classes"].index(f"{reads.__name__}:FrozenReads")

    def drop_a_field(value: object) -> object:
        if isinstance(value, list):
            items = [drop_a_field(v) for v in value]
            return items[:-1] if items and items[0] == tag else items
        return value

    entry["value"] = drop_a_field(entry["value"])
    _set_row(cache, key, json.dumps(entry).encode())
    assert store.get(key, incremental.RootOut) is None
    assert _answer(_run(root, cache)) == _answer(first)


# --- shards: `check --shard I/N` on N jobs, `driftlint merge` joins them (issue 31) ---------

SHARD_CASES = ["roles-class-declaration", "roles-hiera-levels"]


def _shard(root: Path, cache: Path | None, folder: Path, index: int, count: int) -> Result:
    config, errors = load_config(root)
    part = incremental.Shard(index, count, folder)
    return engine.run(root, config, errors, jobs=1, cache_dir=cache, shard=part)


def _merge(root: Path, cache: Path | None, folder: Path) -> Result:
    config, errors = load_config(root)
    joined = incremental.Shard(1, 1, folder, merge=True)
    return engine.run(root, config, errors, jobs=1, cache_dir=cache, shard=joined)


def _generated(root: Path, seed: int) -> Path:
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.generate(root, scale=0.05, seed=seed, bad=3)  # 10 modules, 30 roles
    return root


def test_the_parts_are_disjoint_and_cover_every_root() -> None:
    roots = list(range(23))
    for count in (1, 2, 3, 7, 23, 30):
        parts = [incremental.part(roots, i, count) for i in range(1, count + 1)]
        assert [r for p in parts for r in p] == roots, count
        assert max(map(len, parts)) - min(map(len, parts)) <= 1, count


def test_shards_merged_equal_one_cold_run_on_a_generated_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each shard evaluates only its part; the merge evaluates no root a shard holds, and its
    answer (findings, calls with roles and chains, mentions) is one cold run's."""
    count = 3
    root = _generated(tmp_path / "tree", count)
    evaluated: list[object] = []
    real = pipeline._evaluate_roots

    def counting(roots, *args, **kwargs):  # type: ignore[no-untyped-def]
        evaluated.extend(r[0] for r in roots)
        return real(roots, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_evaluate_roots", counting)
    cold = _run(root, None)
    every = list(evaluated)
    assert len(every) > count, "the case needs more roots than shards"
    parts = []
    for index in range(1, count + 1):
        evaluated.clear()
        shard = _shard(root, None, tmp_path / "shards", index, count)
        assert shard.findings == () and shard.calls == ()  # the findings are the merge's
        parts.append(list(evaluated))
    assert sorted(map(repr, (r for p in parts for r in p))) == sorted(map(repr, every))
    assert all(0 < len(p) < len(every) for p in parts)
    evaluated.clear()
    merged = _merge(root, None, tmp_path / "shards")
    assert evaluated == []
    assert _answer(merged) == _answer(cold)
    assert merged.interfaces == cold.interfaces


@pytest.mark.parametrize("name", SHARD_CASES)
def test_shards_of_an_older_tree_merge_into_the_answer_of_the_new_one(
    name: str, tmp_path: Path
) -> None:
    """Shards written before random edits, merged after each: the roots the edits touch
    are evaluated by the merge; the answer is a cold run's of the edited tree."""
    root = _copy(FIXTURES / name, tmp_path / "tree")
    folder = tmp_path / "shards"
    for index in (1, 2):
        _shard(root, tmp_path / "cache", folder, index, 2)
    assert _answer(_merge(root, tmp_path / "cache", folder)) == _answer(_run(root, None))
    rng = random.Random(zlib.crc32(name.encode()))
    for _ in range(EDITS):
        what = edit(root, rng)
        assert _answer(_merge(root, None, folder)) == _answer(_run(root, None)), what


def test_a_missing_or_damaged_shard_is_evaluated_by_the_merge(tmp_path: Path) -> None:
    root = _copy(FIXTURES / "roles-class-declaration", tmp_path / "tree")
    folder = tmp_path / "shards"
    cold = _answer(_run(root, None))
    for index in (1, 2):
        _shard(root, None, folder, index, 2)
    kept = {p.name: p.read_bytes() for p in folder.iterdir()}
    (folder / "shard-2-of-2.json").unlink()
    merged = _merge(root, None, folder)
    assert _answer(merged) == cold
    assert any("missing: 2" in note for note in merged.notes)
    damaged = folder / "shard-2-of-2.json"
    damaged.write_bytes(kept[damaged.name][:1000])
    merged = _merge(root, None, folder)
    assert _answer(merged) == cold
    assert any("shard-2-of-2.json is not one driftlint wrote" in note for note in merged.notes)
    entry = json.loads(kept["shard-1-of-2.json"])
    entry["value"][1] = "0" * 64  # another build's or config's shard
    (folder / "shard-1-of-2.json").write_text(json.dumps(entry))
    merged = _merge(root, None, folder)
    assert _answer(merged) == cold
    assert any("of another tree" in note for note in merged.notes)


def test_a_link_where_the_store_goes_is_never_opened(tmp_path: Path) -> None:
    """A cache folder restored from elsewhere may hold a link named like the store: writing
    through it would write outside the cache. The run keeps no store then, and is right."""
    root = _copy(FIXTURES / "jobloop-2014-incident", tmp_path / "tree")
    cache = tmp_path / "cache"
    cache.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"")
    (cache / rows.FILE).symlink_to(elsewhere)
    assert _answer(_run(root, cache)) == _answer(_run(root, None))
    assert elsewhere.read_bytes() == b""
    assert not (cache / (rows.FILE + "-wal")).exists()
