from game.cli import main

if __name__ == "__main__":  # the audio synthesis process imports this file again and must not start a game
    raise SystemExit(main())
