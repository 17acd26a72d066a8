"""Pages of the supply–demand loop: the lists hub, projects and claims, ordered services."""
