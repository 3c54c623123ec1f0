"""The screens of the window game, one module each."""
