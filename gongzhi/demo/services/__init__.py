"""The demo's service loop: volunteers, registrations and teams, then a year of what they did."""
