"""The Textual user interface. Talks to the engine only from workers."""
