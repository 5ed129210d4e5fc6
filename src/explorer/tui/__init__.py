"""The Textual explorer. Only this package imports Textual."""
