"""The configuration: `.driftlint.yaml` and rule files, read strictly with positions."""
