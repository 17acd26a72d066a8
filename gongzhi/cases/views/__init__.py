"""Pages of the case loop, one module per group: the queue and map, the case page, field work, inboxes,
indicators, reference data, the hotline import and the resident's H5 pages."""
