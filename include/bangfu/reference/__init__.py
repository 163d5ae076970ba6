"""Default reference data shipped with bangfu (regions.csv: eligible origin counties)."""
