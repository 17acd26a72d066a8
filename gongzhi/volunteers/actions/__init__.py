"""All writes of the volunteers app: the register and teams (`register`), activities and sign-ups
(`activities`), QR check-in/out and confirmation (`attendance`)."""
