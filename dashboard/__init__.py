"""The top layer's start page for people who log in."""
