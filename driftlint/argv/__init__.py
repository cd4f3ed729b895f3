"""Bind argv words to an interface: word shapes under each dialect, then the binding."""
