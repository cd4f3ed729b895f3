"""The fleet: commands from compiled catalogs (JSON files or PuppetDB), checked like calls."""
