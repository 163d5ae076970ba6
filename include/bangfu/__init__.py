"""bangfu: consumption-assistance data pipeline."""
