"""Window benchmark, headless (SDL dummy video driver), at 1280x720:

- idle CPU (% of one core) of the real loop on the title screen and on a fully shown passage,
  side by side with a naive loop that redraws every frame at 60 fps;
- frame time (p50 / p99 / max) while a passage plays (typewriter, scene crossfades, Samantha's
  visualizer, the owl, the outage) and while choices are on screen (the mouse moving over them);
- frame time while dragging the flowchart of the shipped story with every scene read (its
  largest case), at two zooms: the whole turn of the loop (events, update, draw);
- resident memory after the window has been resized 100 times (one long drag-resize).

A player's laptop is rarely quiet: every frame measurement runs while another process keeps one
core busy (the machine has two). Each frame is timed twice, side by side: on the wall clock (what
the player waits) and in this thread's CPU time (the frame's own work). The wall clock also counts
the time other programs hold the cores, so the load average is printed with it; the goal is judged
on the wall clock while the machine is no busier than that scenario (load under 2.5), and on the
frame's own work when other programs crowd the machine beyond it (it says which).

    python bench/bench_ui.py [--seconds 3]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from game.runtime.persist import PlayerData  # noqa: E402
from game.runtime.saves import SaveStore  # noqa: E402
from game.story.validate import load_and_validate  # noqa: E402
from game.ui.app import App, Options  # noqa: E402
from game.ui.session import Library, Session  # noqa: E402

TOUR = os.path.join(ROOT, "tests", "fixtures", "ok", "ui_tour")
STORY = os.path.join(ROOT, "story")
SIZE = (1280, 720)
IDLE_BUDGET, FRAME_BUDGET_MS, RSS_BUDGET_MIB = 2.0, 8.0, 300
RESIZES = 100


def make_app(folder: str, session: bool, path: str = TOUR) -> App:
    story = load_and_validate(path).story
    library = Library(story, SaveStore(folder, story), PlayerData.load(folder, story.id), folder, [path])
    return App(library, Options(size=SIZE), Session.new(library, seed=1) if session else None)


def cpu_of(run, seconds: float) -> float:
    """Percent of one core used by run(seconds)."""
    cpu, wall = time.process_time(), time.perf_counter()
    run(seconds)
    return 100.0 * (time.process_time() - cpu) / (time.perf_counter() - wall)


def naive(app: App, seconds: float) -> None:
    """What a simple pygame loop does: handle events, redraw everything, 60 times a second."""
    clock = pygame.time.Clock()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in pygame.event.get():
            pass
        app.draw()
        clock.tick(60)


def settle(app: App) -> None:
    """Let the opening animations (typewriter, chapter title) finish so that nothing moves."""
    play = app.find("play")
    if play is not None:
        play.complete()
    for _ in range(400):
        app.step(0.05)
        if not app.animating():
            return


class Frames:
    """Times of frames (ms): on the wall clock and in this thread's CPU time."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def time(self, turn) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        turn()
        self.cpu.append((time.thread_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def frames(app: App) -> tuple[Frames, Frames]:
    """Each turn of the loop through a playthrough of the tour story at 60 fps: those of the passage (text
    typing, scenes moving) and those with the choices on screen (the mouse going over them)."""
    play = app.find("play")
    passage, choice = Frames(), Frames()

    def turn() -> None:
        if app.top is not None and app.top.name == "content_note":  # the outage's note: keep the effect
            for key in (pygame.K_RIGHT, pygame.K_RETURN):
                pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
        (choice if play.choosing else passage).time(lambda: app.step(1 / 60))

    for _ in range(6):  # each node: type it out, linger (visualizer, owl, glitch), go on
        for _ in range(200):
            turn()
            if not play.revealing:
                break
        for _ in range(90):
            turn()
        if play.choosing:
            for i in range(60):  # the pointer drifts up and down the choices
                button = play.choice_buttons[(i // 6) % len(play.choice_buttons)]
                pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(button.rect.x + 10 + i, button.rect.centery),
                                                     rel=(1, 0), buttons=(0, 0, 0)))
                turn()
            play.choose(1)
        elif play.engine.is_over:
            break
        else:
            play.advance()
            if not play.revealing and not play.at_last_beat:
                continue
    return passage, choice


def flowchart_frames(folder: str) -> tuple[int, Frames] | None:
    """Times (ms) of each turn of the loop while the flowchart of the shipped story, every scene read, is dragged."""
    from game.ui.scenes.flowchart import FlowchartScene
    result = load_and_validate(STORY)
    if not result.ok:
        return None
    app = make_app(folder, True, STORY)
    app.library.player.seen.update(app.story.nodes)
    app.session.engine.warp(list(app.story.nodes)[len(app.story.nodes) // 2])
    settle(app)
    app.open("flowchart")
    chart = app.top
    assert isinstance(chart, FlowchartScene)
    app.step(0)
    times = Frames()
    for zoom in (1.0, 0.4):
        chart.set_zoom(zoom)
        app.dirty = True
        app.step(1 / 60)  # a new zoom draws its view at once: the first frame of a zoom is not a drag's
        for i in range(240):
            x, y = (640 - 12 * (i % 60), 400) if (i // 60) % 2 == 0 else (640 + 12 * (i % 60), 400)
            pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(x, y), rel=(12, 0), buttons=(1, 0, 0)))
            if i % 60 == 0:
                pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1))
            times.time(lambda: app.step(1 / 60))
            if i % 60 == 59:
                pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1))
    pygame.display.quit()
    return len(app.story.nodes), times


def resident_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_after_resizes(folder: str) -> tuple[float, float]:
    """Resident memory (MiB) before and after the window takes RESIZES sizes, a passage on screen."""
    app = make_app(folder, session=True)
    settle(app)
    before = resident_mib()
    for i in range(RESIZES):
        app.resize((700 + (i * 37) % 1200, 420 + (i * 53) % 640))
        app.step(1 / 60)
    after = resident_mib()
    pygame.display.quit()
    return before, after


def busy_core() -> subprocess.Popen:
    """Another program keeping one core busy, as on a player's laptop."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each idle measurement")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="her-bench-")
    try:
        rss_before, rss_after = rss_after_resizes(folder)  # first: what a game just started holds
        app = make_app(folder, session=False)
        print(f"window {app.screen.get_size()[0]}x{app.screen.get_size()[1]}, "
              f"SDL video driver '{pygame.display.get_driver()}'"
              + (" (headless)" if pygame.display.get_driver() in ("dummy", "offscreen") else ""))
        settle(app)
        title_idle = cpu_of(app.loop, args.seconds)
        title_naive = cpu_of(lambda s: naive(app, s), args.seconds)
        pygame.display.quit()

        app = make_app(folder, session=True)
        settle(app)
        passage_idle = cpu_of(app.loop, args.seconds)
        passage_naive = cpu_of(lambda s: naive(app, s), args.seconds)
        pygame.display.quit()

        busy = busy_core()
        try:
            app = make_app(folder, session=True)
            passage, choice = frames(app)
            pygame.display.quit()
            chart = flowchart_frames(folder)
            load = os.getloadavg()[0]
        finally:
            busy.kill()
            busy.wait()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.0f}x less" if a > 0 else "n/a"

    print(f"idle CPU, title screen:    {title_idle:5.2f} % of a core   "
          f"(redrawing at 60 fps: {title_naive:5.1f} %, {ratio(title_idle, title_naive)})")
    print(f"idle CPU, passage shown:   {passage_idle:5.2f} % of a core   "
          f"(redrawing at 60 fps: {passage_naive:5.1f} %, {ratio(passage_idle, passage_naive)})")
    crowded = load >= 2.5
    print(f"load average while measuring frames: {load:.1f} on {os.cpu_count()} cores (one of it the busy process "
          "the benchmark starts)" + ("; busier than the scenario, so frames are judged on their own work"
                                      if crowded else ""))
    ok = max(title_idle, passage_idle) < IDLE_BUDGET
    measured = [("passage", passage), ("choices", choice)]
    if chart is None:
        print("flowchart: skipped (the shipped story does not validate right now)")
    else:
        measured.append((f"flowchart drag, {chart[0]} scenes read", chart[1]))
    for label, times in measured:
        w50, w99, c50, c99 = (percentile(t, p) for t in (times.wall, times.cpu) for p in (50, 99))
        judged = c99 if crowded else w99
        print(f"{label + ':':36} wall p50 {w50:5.2f} ms, p99 {w99:6.2f} ms | own work p50 {c50:5.2f} ms, "
              f"p99 {c99:5.2f} ms  over {len(times.wall)} frames (p99 {judged / FRAME_BUDGET_MS:.2f} of the "
              f"{FRAME_BUDGET_MS:.0f} ms budget)")
        ok = ok and judged < FRAME_BUDGET_MS
    print(f"resident memory after {RESIZES} window sizes: {rss_after:.0f} MiB (before: {rss_before:.0f} MiB; "
          f"{rss_after / RSS_BUDGET_MIB:.2f} of the {RSS_BUDGET_MIB} MiB budget)")
    ok = ok and rss_after < RSS_BUDGET_MIB
    print(f"within budget (idle < {IDLE_BUDGET:.0f} % of a core, frame p99 < {FRAME_BUDGET_MS:.0f} ms, "
          f"memory < {RSS_BUDGET_MIB} MiB)" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
