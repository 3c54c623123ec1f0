"""`python main.py audio list | play CUE | export CUE --out FILE.wav | render-all --out DIR`: hear and check
the synthesized cues. pygame, pydub and numpy are imported only by the actions that need them."""
from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable

from ..audio.cache import DiskCache, recipe_key, write_wav
from ..story.diagnostics import did_you_mean
from ..story.model import Cue, Story
from ..story.recipe import RecipeError, parse_recipe, recipe_of
from ..story.validate import load_and_validate
from .common import EXIT_FOUND, EXIT_OK, UsageError, print_diagnostics, story_arg, story_paths

RATE, CHANNELS = 44100, 2


def _with_catalogue(command: Callable[[argparse.Namespace, Story], int]) -> Callable[[argparse.Namespace], int]:
    """Run the action on the story with its cues; exit 1 (errors printed) when the cue catalogue has errors."""
    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        result = load_and_validate(story_paths(args))
        story = result.story
        cue_errors = [d for d in result.errors if story is None or d.file == story.cue_file]
        if story is None or cue_errors:
            print_diagnostics(cue_errors or result.errors)
            print("The cue catalogue has errors; fix them and try again.", file=sys.stderr)
            return EXIT_FOUND
        if not story.cues:
            raise UsageError("this story has no cue catalogue ('cues:' in story.yaml)")
        return command(args, story)
    return run


def _cue(story: Story, name: str) -> Cue:
    cue = story.cues.get(name)
    if cue is None:
        raise UsageError(f"no cue '{name}' in {story.cue_file}{did_you_mean(name, story.cues)}")
    if cue.recipe is None:
        raise UsageError(f"cue '{name}' has no recipe, so it is silent (captions only)")
    return cue


def _bank(story: Story, rate: int = RATE, channels: int = CHANNELS):
    from ..audio.bank import SoundBank
    return SoundBank(story, rate, channels, DiskCache())


def _unsynthesizable(cue: Cue, err: RecipeError) -> int:
    print(f"error: cue '{cue.name}' cannot be synthesized: {err}", file=sys.stderr)
    return EXIT_FOUND


def _describe(samples: bytes, rate: int, channels: int) -> str:
    from ..audio.levels import levels
    found = levels(samples, rate, channels)
    return f"{found.seconds:6.2f} s  {found.loudness:6.1f} LUFS  true peak {found.true_peak_db:5.1f} dBTP"


@_with_catalogue
def cmd_list(args: argparse.Namespace, story: Story) -> int:
    cache = DiskCache()
    width = max(len(name) for name in story.cues)
    for cue in story.cues.values():
        if cue.recipe is None:
            print(f"{cue.name:<{width}}  {cue.channel:<8}  {'loop' if cue.loop else '    '}   no recipe (silent)"
                  f"  {cue.caption}")
            continue
        recipe, _ = parse_recipe(cue.recipe, cue.where, cue.loop, cue.channel)
        seconds = f"{recipe.seconds:6.2f} s" if recipe else "       ?"
        cached = os.path.exists(cache.path(recipe_key(cue, RATE, CHANNELS)))
        print(f"{cue.name:<{width}}  {cue.channel:<8}  {'loop' if cue.loop else '    '}  {seconds}"
              f"  {'cached' if cached else '      '}  {cue.caption}")
    return EXIT_OK


@_with_catalogue
def cmd_play(args: argparse.Namespace, story: Story) -> int:
    cue = _cue(story, args.cue)
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from ..audio.mixer import start_mixer
    try:
        start_mixer(RATE, CHANNELS)
        rate, _, channels = pygame.mixer.get_init()
    except (pygame.error, TypeError) as err:
        print(f"error: no sound device ({err}); write the cue to a file instead: "
              f"python main.py audio export {cue.name} --out {cue.name}.wav", file=sys.stderr)
        return EXIT_FOUND
    try:
        samples = _bank(story, rate, channels).get(cue.name)
        sound = pygame.mixer.Sound(buffer=samples)
        length = len(samples) / (2 * channels * rate)
        seconds = args.seconds if args.seconds is not None else (max(10.0, length) if cue.loop else length)
        print(f"{cue.name} ({cue.channel}{', looping' if cue.loop else ''}): {cue.caption}")
        channel = pygame.mixer.Channel(0)
        channel.play(sound, loops=-1 if cue.loop else 0)
        end = time.monotonic() + seconds
        while time.monotonic() < end and channel.get_busy():
            time.sleep(0.05)
    except RecipeError as err:
        return _unsynthesizable(cue, err)
    except KeyboardInterrupt:
        pass
    finally:
        pygame.mixer.quit()
    return EXIT_OK


@_with_catalogue
def cmd_export(args: argparse.Namespace, story: Story) -> int:
    cue = _cue(story, args.cue)
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise UsageError(f"--out: no folder '{folder}'")
    try:
        samples = _bank(story).get(cue.name)
    except RecipeError as err:
        return _unsynthesizable(cue, err)
    try:
        write_wav(args.out, samples, RATE, CHANNELS)
    except OSError as err:
        raise UsageError(f"cannot write '{args.out}': {err.strerror or err}") from None
    print(f"wrote {args.out}  {_describe(samples, RATE, CHANNELS)}{'  (one loop cycle)' if cue.loop else ''}")
    return EXIT_OK


@_with_catalogue
def cmd_render_all(args: argparse.Namespace, story: Story) -> int:
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--out: cannot create '{args.out}': {err.strerror or err}") from None
    from ..audio.levels import levels
    bank = _bank(story)
    failed = 0
    width = max(len(name) for name in story.cues)
    began = time.perf_counter()
    print(f"{'cue':<{width}}  {'channel':<8}  {'target':>6}  {'LUFS':>6}  {'dBTP':>6}  {'seconds':>7}")
    for cue in story.cues.values():
        if cue.recipe is None:
            print(f"{cue.name:<{width}}  no recipe (silent)")
            continue
        start, before = time.perf_counter(), bank.stats.synthesized
        try:
            samples = bank.get(cue.name)
            write_wav(os.path.join(args.out, cue.name + ".wav"), samples, RATE, CHANNELS)
        except RecipeError as err:
            failed += 1
            print(f"{cue.name:<{width}}  error: {err}")
            continue
        except OSError as err:
            raise UsageError(f"cannot write in '{args.out}': {err.strerror or err}") from None
        how = "synthesized" if bank.stats.synthesized > before else "from cache"
        found = levels(samples, RATE, CHANNELS)
        print(f"{cue.name:<{width}}  {cue.channel:<8}  {recipe_of(cue).loudness:6.1f}  {found.loudness:6.1f}  "
              f"{found.true_peak_db:6.1f}  {found.seconds:7.2f}  {how} in {time.perf_counter() - start:.2f} s")
    print(f"{len(story.cues) - failed} of {len(story.cues)} cues written to {args.out} "
          f"in {time.perf_counter() - began:.1f} s ({bank.stats.synthesized} synthesized, "
          f"{bank.stats.from_cache} from the cache)")
    return EXIT_FOUND if failed else EXIT_OK


def _add_args(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="audio_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every cue: channel, loop, length, cached, caption")
    story_arg(listing)
    listing.set_defaults(audio_handler=cmd_list)
    play = actions.add_parser("play", help="hear one cue through the sound device")
    play.add_argument("cue", metavar="CUE")
    play.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds (looping cues: default 10)")
    story_arg(play)
    play.set_defaults(audio_handler=cmd_play)
    export = actions.add_parser("export", help="write one cue to a WAV file (a looping cue: one cycle)")
    export.add_argument("cue", metavar="CUE")
    export.add_argument("--out", required=True, metavar="FILE.wav", help="where to write the WAV file")
    story_arg(export)
    export.set_defaults(audio_handler=cmd_export)
    render = actions.add_parser("render-all", help="write every cue as DIR/CUE.wav and print its level")
    render.add_argument("--out", required=True, metavar="DIR", help="folder for the WAV files")
    story_arg(render)
    render.set_defaults(audio_handler=cmd_render_all)


def run(args: argparse.Namespace) -> int:
    return args.audio_handler(args)


SUBCOMMANDS = {"audio": ("hear and check the synthesized sound cues (list, play, export, render-all)", _add_args, run)}
