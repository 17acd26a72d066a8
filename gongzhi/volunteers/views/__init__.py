"""Pages of the volunteers app: the register and teams (staff), activities (staff, organisers and
participants), the organiser's QR page, the scan landing page and the participant's own page."""
