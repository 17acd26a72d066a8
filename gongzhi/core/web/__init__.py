"""Pages of the shared kernel: sign-in and its second factor, the audit search, account administration."""
