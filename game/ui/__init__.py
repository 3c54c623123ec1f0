"""The window game: a Pygame visual-novel front-end over game.runtime (pygame is imported only here)."""
