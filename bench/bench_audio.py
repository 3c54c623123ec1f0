"""Audio benchmark: the whole cue catalogue synthesized cold against the same catalogue loaded from the disk
cache, side by side in one run; how long open_audio() takes to return (what the first frame waits for) and how
late the first scene's cues start on a first launch; and the catalogue's loudness table (BS.1770).

    python bench/bench_audio.py [--story story] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # the mixer runs, nothing is heard
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402,F401 - the window has imported it long before it opens the audio

from game.audio import open_audio  # noqa: E402
from game.audio.bank import SoundBank  # noqa: E402
from game.audio.cache import DiskCache  # noqa: E402
from game.audio.levels import levels  # noqa: E402
from game.story.loader import load_story  # noqa: E402
from game.story.recipe import recipe_of  # noqa: E402


def load_all(story, folder: str) -> tuple[float, float, SoundBank]:
    """(wall seconds, CPU seconds, the bank) to get every cue: synthesized into an empty cache, else read back."""
    bank = SoundBank(story, 44100, 2, DiskCache(folder))
    began, cpu = time.perf_counter(), time.process_time()
    for name in bank.cues:
        bank.get(name)
    return time.perf_counter() - began, time.process_time() - cpu, bank


def start_game(story, frames: int = 0, first: list[str] | None = None) -> tuple[float, float, list[float], float]:
    """Through the real mixer: (seconds until open_audio returns, seconds until every cue is ready, frame times,
    seconds until the `first` scene's cues all play). Meanwhile the main thread plays frames of a 60 fps loop
    doing 4 ms of Python work each (at least `frames`)."""
    began = time.perf_counter()
    audio = open_audio(story, {})
    opened = time.perf_counter() - began
    if first:
        audio.enter_node(first, [])
    ready, times, last, first_playing = 0.0, [], time.perf_counter(), 0.0
    while audio.loading() or len(times) < frames:
        start = time.perf_counter()
        while time.perf_counter() - start < 0.004:
            pass
        time.sleep(max(0.0, 1 / 60 - (time.perf_counter() - start)))
        now = time.perf_counter()
        times.append(now - last)
        audio.update(now - last)
        last = now
        if not ready and not audio.loading():
            ready = now - began
        if first and not first_playing and all(track.channel is not None for track in audio.tracks):
            first_playing = now - began
    audio.shutdown()
    return opened, ready, times, first_playing


def frame_line(times: list[float]) -> str:
    times = sorted(times)
    return (f"median {times[len(times) // 2] * 1000:5.1f} ms, p99 {times[int(len(times) * 0.99)] * 1000:5.1f} ms, "
            f"worst {times[-1] * 1000:5.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", default=os.path.join(os.path.dirname(__file__), "..", "story"))
    parser.add_argument("--repeat", type=int, default=3, help="cached loads to time (best is kept)")
    args = parser.parse_args()
    story, diagnostics = load_story(args.story)
    if story is None:
        for diag in diagnostics:
            print(diag.format(), file=sys.stderr)
        return 1
    first = list(story.nodes[story.start].cues)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["HER_CACHE_DIR"] = folder
        cache = os.path.join(folder, "audio")
        cold, cold_cpu, bank = load_all(story, cache)
        rendered = {name: bank.get(name) for name in bank.cues}
        seconds = sum(len(samples) for samples in rendered.values()) / (44100 * 4)
        warm = min(load_all(story, cache)[0] for _ in range(max(1, args.repeat)))
        opened, ready, cached_frames, _ = start_game(story, frames=300)
        print(f"catalogue: {len(bank.cues)} cues, {seconds:.0f} s of audio, "
              f"{sum(os.path.getsize(os.path.join(cache, f)) for f in os.listdir(cache)) / 1e6:.1f} MB cached")
        print(f"cold synthesis of the whole catalogue: {cold:8.3f} s  ({cold_cpu:.3f} s of CPU; goal: 5 s)")
        print(f"cached start (every cue from disk):   {warm:8.3f} s")
        print(f"ratio cold / cached:                  {cold / warm:8.1f}x")
        print(f"game start with the cache: open_audio returns in {opened * 1000:.1f} ms, "
              f"every cue playable after {ready * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["HER_CACHE_DIR"] = folder
        opened, ready, cold_frames, first_playing = start_game(story, first=first)
        print(f"game start without a cache: open_audio returns in {opened * 1000:.1f} ms, the first scene's cues "
              f"({', '.join(first) or 'none'}) play after {first_playing:.2f} s, "
              f"every cue playable after {ready:.1f} s (synthesized in the background)")
    print(f"60 fps frames, nothing to synthesize:     {frame_line(cached_frames)}")
    print(f"60 fps frames, synthesizing alongside:    {frame_line(cold_frames)}")
    print()
    print("loudness (ITU-R BS.1770, integrated) against each channel's target; true peak ceiling -1 dBTP")
    width = max(len(name) for name in rendered)
    print(f"{'cue':<{width}}  {'channel':<8}  {'target':>6}  {'LUFS':>6}  {'off':>5}  {'dBTP':>5}  {'seconds':>7}")
    for name, samples in rendered.items():
        cue, found = story.cues[name], levels(samples, 44100, 2)
        target = recipe_of(cue).loudness
        print(f"{name:<{width}}  {cue.channel:<8}  {target:6.1f}  {found.loudness:6.1f}  "
              f"{found.loudness - target:+5.1f}  {found.true_peak_db:5.1f}  {found.seconds:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
