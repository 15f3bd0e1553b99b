"""The HTTP service (`chain serve`): the library's commands over HTTP, as thin as cli/ is."""
