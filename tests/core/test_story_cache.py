"""The compiled-story cache: a second start with nothing changed skips loading, any change is seen,
and a damaged or hostile cache entry is never trusted."""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil

import pytest

from game.cli import main
from game.story import cache
from game.story.cache import MAGIC, load_cached
from tests.paths import SAMPLE


@pytest.fixture
def story(tmp_path):
    folder = tmp_path / "story"
    shutil.copytree(SAMPLE, folder)
    return folder


def _entries(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def _no_loading(monkeypatch) -> None:
    def refuse(paths):
        raise AssertionError("loaded the story again")
    monkeypatch.setattr(cache, "load_and_validate", refuse)


def test_a_second_start_reads_the_cache_and_gets_the_same_story(story, tmp_path, monkeypatch):
    first = load_cached(str(story), str(tmp_path / "c"))
    assert first.ok and len(_entries(tmp_path / "c")) == 1
    _no_loading(monkeypatch)
    second = load_cached(str(story), str(tmp_path / "c"))
    assert second.story == first.story and second.diagnostics == first.diagnostics
    assert second.story.fingerprint == first.story.fingerprint


def test_any_change_to_a_story_file_is_loaded_afresh(story, tmp_path):
    folder = str(tmp_path / "c")
    before = load_cached(str(story), folder).story
    manifest = story / "story.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(f"title: {before.title}", "title: Changed", 1),
                        encoding="utf-8")
    after = load_cached(str(story), folder).story
    assert after.title == "Changed" and after.fingerprint != before.fingerprint
    extra = story / "chapters" / "zz_extra.yaml"  # a new file a glob picks up
    extra.write_text("chapter: {id: zz, title: Extra}\nnodes:\n  - {id: zz_lone, text: [Alone.], next: zz_lone}\n",
                     encoding="utf-8")
    assert load_cached(str(story), folder).story.nodes["zz_lone"].passages[0].text == "Alone."
    extra.write_text(extra.read_text(encoding="utf-8").replace("Alone.", "Together."), encoding="utf-8")
    assert load_cached(str(story), folder).story.nodes["zz_lone"].passages[0].text == "Together."


def test_a_story_with_errors_is_never_cached(story, tmp_path):
    manifest = story / "story.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("start:", "start: nowhere\n_start:", 1),
                        encoding="utf-8")
    result = load_cached(str(story), str(tmp_path / "c"))
    assert not result.ok and _entries(tmp_path / "c") == []


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "hostile", "empty"])
def test_a_damaged_or_foreign_entry_is_rebuilt_never_trusted(story, tmp_path, damage):
    folder = tmp_path / "c"
    good = load_cached(str(story), str(folder))
    entry = folder / _entries(folder)[0]
    blob = entry.read_bytes()
    if damage == "truncated":
        blob = blob[: len(blob) // 2]
    elif damage == "flipped":
        blob = blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:]
    elif damage == "empty":
        blob = b""
    else:
        marker = tmp_path / "ran"
        payload = pickle.dumps({"not": "a story"}) if damage == "foreign" else (
            b"cos\nsystem\n(V" + f"touch {marker}".encode() + b"\ntR.")  # os.system('touch ...'), valid hash
        blob = MAGIC + hashlib.sha256(payload).digest() + payload
    entry.write_bytes(blob)
    again = load_cached(str(story), str(folder))
    assert again.ok and again.story == good.story
    assert not (tmp_path / "ran").exists()
    assert entry.read_bytes() != blob  # rewritten: the next start is fast again
    assert load_cached(str(story), str(folder)).story == good.story


def test_the_command_line_uses_the_cache_folder(story, tmp_path, capsys):
    assert main(["explore", "--story", str(story)]) == 0
    capsys.readouterr()
    entries = _entries(tmp_path / "cache" / "stories")  # HER_CACHE_DIR is set for every test
    assert len(entries) == 1 and entries[0].endswith(".pickle")


@pytest.fixture
def small_chunks(monkeypatch):
    """Nodes cached two to a chunk, so the sample story spreads over several."""
    monkeypatch.setattr(cache, "CHUNK", 2)


def test_a_cached_story_in_several_chunks_plays_and_reads_like_the_loaded_one(story, tmp_path, monkeypatch,
                                                                              small_chunks):
    from game.runtime.engine import Engine
    first = load_cached(str(story), str(tmp_path / "c")).story
    _no_loading(monkeypatch)
    second = load_cached(str(story), str(tmp_path / "c")).story
    assert len(second.nodes) == len(first.nodes) > 4 and "nowhere" not in second.nodes
    played, replayed = Engine(first, seed=3), Engine(second, seed=3)
    while not played.is_over and played.choices():
        played.choose(1)
        replayed.choose(1)
        assert replayed.lines == played.lines and [v.text for v in replayed.choices()] == [v.text for v in played.choices()]
    assert list(second.nodes) == list(first.nodes) and list(second.nodes.values()) == list(first.nodes.values())
    assert second == first and pickle.loads(pickle.dumps(second)) == first


def _rewrite_entry(entry, change) -> None:
    """Rewrite a cache entry's head or chunks and give it a valid hash, as someone crafting one would."""
    blob = entry.read_bytes()
    payload = blob[len(MAGIC) + 32:]
    length = int.from_bytes(payload[:8], "little")
    head, ids, ends = pickle.loads(payload[8:8 + length])
    chunks = [payload[8 + length + a:8 + length + b] for a, b in zip([0] + ends, ends)]
    ids, chunks = change(ids, chunks)
    ends = [sum(len(c) for c in chunks[:k + 1]) for k in range(len(chunks))]
    head = pickle.dumps((head, ids, ends))
    payload = len(head).to_bytes(8, "little") + head + b"".join(chunks)
    entry.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)


@pytest.mark.parametrize("change", ["swapped chunks", "ids out of step", "a chunk missing"])
def test_an_entry_crafted_with_a_valid_hash_is_never_trusted(story, tmp_path, small_chunks, change):
    folder = tmp_path / "c"
    good = load_cached(str(story), str(folder)).story
    entry = folder / _entries(folder)[0]
    _rewrite_entry(entry, {"swapped chunks": lambda ids, chunks: (ids, [chunks[1], chunks[0]] + chunks[2:]),
                           "ids out of step": lambda ids, chunks: (ids[1:] + ids[:1], chunks),
                           "a chunk missing": lambda ids, chunks: (ids, chunks[:-1])}[change])
    again = load_cached(str(story), str(folder)).story
    assert again.nodes[good.start] == good.nodes[good.start]  # a damaged first chunk: read from the files
    assert again == good and list(again.nodes) == list(good.nodes)
    assert load_cached(str(story), str(folder)).story == good


def test_a_crafted_entry_found_after_the_files_changed_stops_with_a_message(story, tmp_path, small_chunks,
                                                                             monkeypatch, capsys):
    """The nodes can come neither from the entry nor from the files (they no longer hold those nodes): the
    game says so and stops with an error status, without a traceback."""
    folder = tmp_path / "c"
    good = load_cached(str(story), str(folder)).story
    _rewrite_entry(folder / _entries(folder)[0], lambda ids, chunks: (ids, [chunks[1], chunks[0]] + chunks[2:]))
    running = load_cached(str(story), str(folder)).story
    chapter = next((story / "chapters").glob("*.yaml"))
    chapter.write_text(chapter.read_text().replace(f"id: {good.start}\n", f"id: {good.start}_renamed\n", 1))
    with pytest.raises(cache.StoryCacheDamaged):
        running.nodes[good.start]

    def explore_the_running_story(args) -> int:
        return len(running.nodes[good.start].choices)
    from game.cli import explore
    monkeypatch.setitem(explore.SUBCOMMANDS, "explore", explore.SUBCOMMANDS["explore"][:2] + (explore_the_running_story,))
    assert main(["explore", "--story", str(story)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the story cache entry is damaged") and "Traceback" not in err


def test_the_cache_folder_keeps_only_the_entries_used_last(story, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for k in range(cache.KEPT_ENTRIES + 3):  # entries of earlier edits of the story, the oldest first
        old = folder / f"{k:040d}.pickle"
        old.write_bytes(b"an older story")
        os.utime(old, (1_000_000 + k, 1_000_000 + k))
    killed = folder / "left-by-a-killed-writer.tmp"
    killed.write_bytes(b"half an entry")
    os.utime(killed, (1_000_000, 1_000_000))
    load_cached(str(story), str(folder))
    kept = _entries(folder)
    assert len(kept) == cache.KEPT_ENTRIES and killed.name not in kept
    assert f"{cache.KEPT_ENTRIES + 2:040d}.pickle" in kept and f"{0:040d}.pickle" not in kept
    assert cache.story_key(str(story))[:40] + ".pickle" in kept  # the new entry is one of them
    assert load_cached(str(story), str(folder)).ok and _entries(folder) == kept
