"""Demo data (placeholder until the demo work lands)."""

import click


@click.command("demo-data")
def demo_data_command() -> None:
    """Load demo data."""
