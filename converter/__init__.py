"""navstat: NAV labour-market measure reports (TILT) to JSON-stat 2.0, SDMX-ML 2.1 and SDMX-CSV."""

__version__ = "0.1.0"
