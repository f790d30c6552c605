"""Journeys: event logs from every app and from imports, mined into journey maps (issue 5)."""
