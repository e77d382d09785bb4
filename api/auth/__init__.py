"""Authentication (JWT access and refresh tokens, argon2 passwords) and guards."""
