"""All writes of the case loop. Import from here; the submodules group them by stage."""
