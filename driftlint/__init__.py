"""driftlint: catch interface drift between a script and every place Puppet calls it."""

__version__ = "0.1.0"
